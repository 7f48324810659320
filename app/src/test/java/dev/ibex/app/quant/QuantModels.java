package dev.ibex.app.quant;

import dev.ibex.api.generate.Forward;
import dev.ibex.api.io.Checkpoint;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.model.ModelWriter;
import dev.ibex.api.model.QuantSettings;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.Batch;
import dev.ibex.spi.nn.Graph;
import dev.ibex.spi.nn.KvCache;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.RootAllocator;

/** Shared steps of the quantized-model tests: loading, dequantized dense twins, cached decoding, error measures. */
final class QuantModels {
    static final QuantOptions NF4 = QuantOptions.nf4(true);
    static final QuantOptions INT8 = QuantOptions.int8(6f);

    private QuantModels() {
    }

    static Model load(Path dir, QuantOptions quantization, String... skip) {
        LoadOptions o = LoadOptions.inference().withThreads(2);
        if (quantization != null) {
            o = o.withQuantization(new QuantSettings(quantization, Set.of(skip)));
        }
        return new ModelLoader(Plugins.installed(), msg -> { }).load(dir, o);
    }

    /**
     * A dense F32 copy of {@code quantized}'s checkpoint in which every quantized linear weight is replaced by its
     * dequantized value: a model that must compute what the quantized one computes, through the dense kernels.
     */
    static Path dequantizedTwin(Model quantized, Path dir) {
        Map<String, HostTensor> weights = new LinkedHashMap<>(quantized.hostWeights());
        List<HostTensor> owned = new ArrayList<>();
        try (RootAllocator allocator = new RootAllocator()) {
            for (var e : quantized.quantizedWeights().entrySet()) {
                QuantizedTensor q = e.getValue();
                int rows = q.shape().intDim(0);
                float[] values = new float[rows * q.shape().intDim(1)];
                q.dequantizeRows(0, rows, values);
                HostTensor dense = HostTensor.ofFloats(allocator, q.shape(), values);
                owned.add(dense);
                weights.keySet().removeIf(k -> k.startsWith(e.getKey() + ".weight") || k.equals(e.getKey() + ".SCB"));
                weights.put(e.getKey() + ".weight", dense);
            }
            ModelWriter.write(dir, quantized.folder(), weights,
                    java.util.Collections.singletonMap("quantization_config", null));
            owned.forEach(HostTensor::close);
        }
        return dir;
    }

    /** Logits of decoding {@code ids} one position at a time through the KV cache ({@code [batch, seq, vocab]}). */
    static float[] cachedLogits(Model model, int[][] ids) {
        Backend backend = model.backend();
        int batch = ids.length;
        int seq = ids[0].length;
        int vocab = model.info().vocabSize();
        float[] out = new float[batch * seq * vocab];
        KvCache cache = KvCache.allocate(backend, model.info().layers(), batch, seq, model.info().kvHeads(),
                model.info().headDim());
        for (int t = 0; t < seq; t++) {
            int[][] step = new int[batch][1];
            for (int b = 0; b < batch; b++) {
                step[b][0] = ids[b][t];
            }
            try (AllocationScope ignored = backend.openScope()) {
                Batch in = Forward.batch(backend, step, null, Forward.arangePositions(batch, 1, t), cache, null, false);
                float[] logits = backend.toFloats(model.lm().forward(Graph.inference(backend), in).value());
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(logits, b * vocab, out, (b * seq + t) * vocab, vocab);
                }
            }
            cache.advance(1);
        }
        return out;
    }

    /** ‖a − b‖ / ‖b‖. */
    static double relativeRms(float[] a, float[] b) {
        double err = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            err += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
            norm += (double) b[i] * b[i];
        }
        return Math.sqrt(err / norm);
    }

    /** Every tensor of a model folder's checkpoint, by name, with its dtype and shape. */
    static Map<String, String> describeTensors(Path dir) {
        Map<String, String> out = new LinkedHashMap<>();
        try (RootAllocator allocator = new RootAllocator(); Checkpoint c = Checkpoint.open(dir, allocator)) {
            c.tensors().forEach((k, v) -> out.put(k, v.dtype() + " " + v.shape()));
        }
        return out;
    }

    static DType dtypeOf(Map<String, String> tensors, String name) {
        return DType.valueOf(tensors.get(name).split(" ")[0]);
    }
}
