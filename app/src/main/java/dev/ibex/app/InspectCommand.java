package dev.ibex.app;

import dev.ibex.api.io.Checkpoint;
import dev.ibex.api.model.ModelFolder;
import dev.ibex.api.model.QuantizedCheckpoints;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ibex inspect DIR}: architecture, config summary, parameters, dtypes, bytes and the tensor list. */
@Command(name = "inspect", description = "Describe a model folder: architecture, sizes, dtypes and tensors.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Hugging Face model folder.")
    Path dir;

    @Option(names = "--tensors", description = "List every tensor (default: the first 20).")
    boolean allTensors;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelFolder folder = ModelFolder.open(dir);
        ArchitectureProvider arch = Plugins.installed().architectureFor(folder.config());
        ModelInfo info = arch.describe(folder.config());
        try (RootAllocator allocator = new RootAllocator(); Checkpoint checkpoint = Checkpoint.open(dir, allocator)) {
            describe(out, folder, arch, info, checkpoint);
        }
        out.flush();
        return 0;
    }

    private void describe(PrintWriter out, ModelFolder folder, ArchitectureProvider arch, ModelInfo info,
                          Checkpoint checkpoint) {
        out.printf("model         %s%n", dir);
        out.printf("architecture  %s (model_type %s)%n", arch.name(), folder.config().modelType());
        out.printf("layers        %d, hidden %d, heads %d (kv %d, head dim %d), vocab %d, context %d%n",
                info.layers(), info.hiddenSize(), info.heads(), info.kvHeads(), info.headDim(), info.vocabSize(),
                info.maxPositions());
        out.printf("tokens        bos %d, eos %s, pad %d%n", info.bosTokenId(), info.eosTokenIds(), info.padTokenId());
        out.printf("lora targets  %s (default)%n", String.join(", ", arch.defaultLoraTargets()));
        {
            long params = 0;
            long bytes = 0;
            Map<DType, Long> byType = new TreeMap<>();
            Map<String, Map<String, HostTensor>> quantized = QuantizedCheckpoints.modules(checkpoint.tensors());
            java.util.Set<String> parts = new java.util.HashSet<>();
            quantized.forEach((module, p) -> p.keySet().forEach(suffix -> parts.add(module + "." + suffix)));
            for (var e : checkpoint.tensors().entrySet()) {
                HostTensor t = e.getValue();
                bytes += t.byteSize();
                if (!parts.contains(e.getKey())) {
                    params += t.numel();
                    byType.merge(t.dtype(), t.numel(), Long::sum);
                }
            }
            params += describeQuantized(out, quantized);
            out.printf("parameters    %,d (%s)%n", params, human(params));
            out.printf("weights       %,d bytes in %d file(s); %s%n", bytes, checkpoint.files().size(), byType);
            out.printf("tensors       %d%n", checkpoint.tensors().size());
            int shown = 0;
            for (var e : checkpoint.tensors().entrySet()) {
                if (!allTensors && shown++ == 20) {
                    out.printf("  ... (%d more; --tensors lists all)%n", checkpoint.tensors().size() - 20);
                    break;
                }
                out.printf("  %-60s %-5s %s%n", e.getKey(), e.getValue().dtype(), e.getValue().shape());
            }
        }
    }

    /**
     * One line per quantized format: how many linears, their weights, stored bytes and bits per weight.
     *
     * @return the number of weights the quantized linears hold
     */
    private static long describeQuantized(PrintWriter out, Map<String, Map<String, HostTensor>> quantized) {
        if (quantized.isEmpty()) {
            return 0;
        }
        record Tally(int modules, long weights, long bytes) {
        }
        Map<String, Tally> byFormat = new TreeMap<>();
        try (RootAllocator allocator = new RootAllocator()) {
            for (var e : quantized.entrySet()) {
                try (QuantizedTensor q = QuantizedCheckpoints.load(e.getKey(), e.getValue(),
                        Plugins.installed().quantizers(), null, allocator)) {
                    String format = q.format() + (e.getValue().containsKey("weight.nested_absmax") ? " (double quant)" : "");
                    byFormat.merge(format, new Tally(1, q.shape().numel(), q.storageBytes()),
                            (a, b) -> new Tally(a.modules + b.modules, a.weights + b.weights, a.bytes + b.bytes));
                }
            }
        }
        long weights = 0;
        for (var e : byFormat.entrySet()) {
            Tally t = e.getValue();
            out.printf("quantized     %s: %d linear(s), %,d weights in %,d bytes, %.3f bits/weight%n", e.getKey(),
                    t.modules, t.weights, t.bytes, t.bytes * 8.0 / t.weights);
            weights += t.weights;
        }
        return weights;
    }

    static String human(long n) {
        if (n >= 1_000_000_000) {
            return String.format("%.2f B", n / 1e9);
        }
        if (n >= 1_000_000) {
            return String.format("%.2f M", n / 1e6);
        }
        return String.format("%.1f K", n / 1e3);
    }
}
