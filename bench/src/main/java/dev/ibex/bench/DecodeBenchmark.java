package dev.ibex.bench;

import dev.ibex.api.generate.Forward;
import dev.ibex.api.io.SafetensorsWriter;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.model.QuantSettings;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.arch.llama.LlamaProvider;
import dev.ibex.backend.cpu.CpuBackendProvider;
import dev.ibex.quant.int8.Int8QuantizerProvider;
import dev.ibex.quant.nf4.Nf4QuantizerProvider;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.Batch;
import dev.ibex.spi.nn.Graph;
import dev.ibex.spi.nn.KvCache;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.arrow.memory.RootAllocator;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end inference speed of a LLaMA-shaped model (random BF16 weights: hidden 2048, 16 heads, MLP 5632,
 * {@code layers} layers, vocabulary 32000; 6 layers: 440 M parameters, 880 MB, far beyond the L3) with its linear
 * weights as stored (BF16), quantized at load to LLM.int8, or to NF4 with double quantization.
 * <ul>
 *   <li>{@code decode}: a 4-token prompt, then {@code tokens} tokens one at a time through the KV cache
 *       (teacher-forced ids: no sampling cost). Every pass, the prompt's included (4 rows take the GEMV path),
 *       streams every linear weight and the output head once,
 *       so the secondary result {@code gbytes} (those bytes × steps, per second) is directly comparable with the
 *       DRAM read bandwidth of {@link MemoryBandwidthBenchmark} ({@code Report decode} pairs them);
 *       {@code tokens} is decoded tokens/s.
 *   <li>{@code prefill}: one batched pass over a {@code prompt}-token prompt (into a fresh cache), compute-bound;
 *       {@code tokens} is prompt tokens/s and {@code gflop} the GFLOP/s of its products (2 per weight of every
 *       linear and the head per token, plus causal attention), for comparison with OpenBLAS' GEMM.
 * </ul>
 * The model folder is written once at setup (to {@code java.io.tmpdir}) with {@link SafetensorsWriter} and loaded
 * through {@link ModelLoader} with providers created directly ({@code Plugins.of}), since the class path ignores
 * module descriptors.
 *
 * <pre>
 * ./mvnw -q -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar dev.ibex.bench.Report decode
 * java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main DecodeBenchmark -p weights=bf16
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx3g"})
public class DecodeBenchmark {
    private static final int HIDDEN = 2048;
    private static final int HEADS = 16;
    private static final int INTERMEDIATE = 5632;
    private static final int VOCAB = 32000;
    private static final int DECODE_PROMPT = 4;

    @Param({"bf16", "int8", "nf4"})
    public String weights;

    @Param({"6"})
    public int layers;

    /** Tokens decoded per {@code decode} call. */
    @Param({"16"})
    public int tokens;

    /** Prompt length of a {@code prefill} call. */
    @Param({"128"})
    public int prompt;

    @Param({"2"})
    public int threads;

    private Model model;
    private int[] ids;
    private double gigabytesPerStep;
    private double prefillGigaflops;

    /** Weight bytes streamed and tokens processed, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public double gbytes;
        public double tokens;
        public double gflop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        Path dir = modelFolder(layers);
        LoadOptions options = LoadOptions.inference().withThreads(threads);
        switch (weights) {
            case "int8" -> options = options.withQuantization(new QuantSettings(QuantOptions.int8(6f), Set.of()));
            case "nf4" -> options = options.withQuantization(new QuantSettings(QuantOptions.nf4(true), Set.of()));
            case "bf16" -> { }
            default -> throw new IllegalArgumentException(weights);
        }
        Plugins plugins = Plugins.of(List.of(new LlamaProvider()), List.of(new CpuBackendProvider()),
                List.of(new Nf4QuantizerProvider(), new Int8QuantizerProvider()), List.of());
        model = new ModelLoader(plugins, msg -> { }).load(dir, options);
        ids = new int[Math.max(DECODE_PROMPT + tokens, prompt)];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(VOCAB);
        }
        // A step reads everything but the embedding table, of which it gathers one row.
        long streamed = model.baseBytes() - 2L * VOCAB * HIDDEN;
        gigabytesPerStep = streamed / 1e9;
        // 2 FLOPs per weight of every linear and the head, plus causal attention's two products (mean context).
        double linearWeights = (double) layers * (4L * HIDDEN * HIDDEN + 3L * HIDDEN * INTERMEDIATE) + (double) VOCAB * HIDDEN;
        double attention = (double) layers * 4 * HIDDEN * (prompt + 1) / 2.0;
        prefillGigaflops = prompt * (2 * linearWeights + attention) / 1e9;
        System.out.printf("%n%s: base %,d bytes in memory (%d linears quantized, %,d bytes); %,d bytes read per "
                + "decoded token%n", weights, model.baseBytes(), model.quantizedWeights().size(),
                model.quantizedBytes(), streamed);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    /**
     * A 4-token prompt, then {@code tokens} single-token steps through the cache: {@code tokens + 1} tokens
     * generated (the prompt's pass gives the first), each pass streaming every weight once (the 4-row prompt takes
     * the same GEMV path as a single token).
     */
    @Benchmark
    public float decode(Counters counters) {
        KvCache cache = newCache(DECODE_PROMPT + tokens);
        float last = step(cache, 0, DECODE_PROMPT);
        for (int t = 0; t < tokens; t++) {
            last += step(cache, DECODE_PROMPT + t, 1);
        }
        counters.gbytes += gigabytesPerStep * (tokens + 1);
        counters.tokens += tokens + 1;
        return last;
    }

    /** One batched pass over a {@code prompt}-token prompt. */
    @Benchmark
    public float prefill(Counters counters) {
        float last = step(newCache(prompt), 0, prompt);
        counters.tokens += prompt;
        counters.gflop += prefillGigaflops;
        return last;
    }

    private KvCache newCache(int length) {
        return KvCache.allocate(model.backend(), layers, 1, length, HEADS, HIDDEN / HEADS);
    }

    /** Runs ids[past, past + len) through the model and the cache; returns a logit so nothing is optimised away. */
    private float step(KvCache cache, int past, int len) {
        Backend backend = model.backend();
        try (AllocationScope ignored = backend.openScope()) {
            Batch in = Forward.batch(backend, new int[][] {Arrays.copyOfRange(ids, past, past + len)}, null,
                    Forward.arangePositions(1, len, past), cache, null, false);
            float[] logits = backend.toFloats(model.lm().forward(Graph.inference(backend), in).value());
            cache.advance(len);
            return logits[logits.length - 1];
        }
    }

    /** A LLaMA-shaped folder of random BF16 weights (N(0, 0.02)), written once per shape. */
    static Path modelFolder(int layers) {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ibex-bench-llama-" + HIDDEN + "x" + layers);
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), """
                    {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d,
                     "intermediate_size": %d, "num_attention_heads": %d, "num_key_value_heads": %d,
                     "num_hidden_layers": %d, "vocab_size": %d, "max_position_embeddings": 2048,
                     "rms_norm_eps": 1e-5, "torch_dtype": "bfloat16"}
                    """.formatted(HIDDEN, INTERMEDIATE, HEADS, HEADS, layers, VOCAB));
            try (RootAllocator allocator = new RootAllocator()) {
                Map<String, HostTensor> tensors = new LinkedHashMap<>();
                tensors.put("model.embed_tokens.weight", random(allocator, VOCAB, HIDDEN, 1));
                tensors.put("lm_head.weight", random(allocator, VOCAB, HIDDEN, 2));
                tensors.put("model.norm.weight", ones(allocator, HIDDEN));
                for (int l = 0; l < layers; l++) {
                    String p = "model.layers." + l + ".";
                    int seed = 100 * (l + 1);
                    tensors.put(p + "input_layernorm.weight", ones(allocator, HIDDEN));
                    tensors.put(p + "post_attention_layernorm.weight", ones(allocator, HIDDEN));
                    for (String m : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                        tensors.put(p + "self_attn." + m + ".weight", random(allocator, HIDDEN, HIDDEN, seed++));
                    }
                    tensors.put(p + "mlp.gate_proj.weight", random(allocator, INTERMEDIATE, HIDDEN, seed++));
                    tensors.put(p + "mlp.up_proj.weight", random(allocator, INTERMEDIATE, HIDDEN, seed++));
                    tensors.put(p + "mlp.down_proj.weight", random(allocator, HIDDEN, INTERMEDIATE, seed));
                }
                SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
                tensors.values().forEach(HostTensor::close);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HostTensor random(RootAllocator allocator, int rows, int cols, int seed) {
        HostTensor t = HostTensor.allocate(allocator, DType.BF16, Shape.of(rows, cols));
        IntStream.range(0, rows).parallel().forEach(r -> {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + r);
            for (int c = 0; c < cols; c++) {
                t.setFloat((long) r * cols + c, (float) (random.nextGaussian() * 0.02));
            }
        });
        return t;
    }

    private static HostTensor ones(RootAllocator allocator, int n) {
        HostTensor t = HostTensor.allocate(allocator, DType.BF16, Shape.of(n));
        for (int i = 0; i < n; i++) {
            t.setFloat(i, 1f);
        }
        return t;
    }
}
