package dev.ibex.bench;

import dev.ibex.api.adapter.LoraSettings;
import dev.ibex.api.data.TokenizedExample;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.model.RandomInit;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.train.MicroBatch;
import dev.ibex.api.train.Trainer;
import dev.ibex.api.train.TrainingOptions;
import dev.ibex.arch.llama.LlamaProvider;
import dev.ibex.backend.cpu.CpuBackendProvider;
import dev.ibex.spi.tensor.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Training tokens/s of one LoRA step, Ibex against plain PyTorch (Debian python3-torch, CPU) doing the same step,
 * measured in the same run and interleaved (Ibex, torch, Ibex, torch, ...) so machine noise hits both: a LLaMA-shaped
 * model with frozen F32 weights, LoRA r=8 / alpha 16 on q_proj and v_proj, AdamW on the adapters, next-token
 * cross-entropy over every position, same threads. The torch side is {@code bench/torch/lora_step.py}.
 *
 * <p>Run: {@code java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED
 * --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.ibex.bench.TrainVsTorch
 * [rounds] [python]} from the repository root.
 */
public final class TrainVsTorch {
    static final int HIDDEN = 512;
    static final int LAYERS = 8;
    static final int HEADS = 8;
    static final int INTER = 1408;
    static final int VOCAB = 8192;
    static final int BATCH = 4;
    static final int SEQ = 256;
    static final int STEPS = 4;
    static final int WARMUP = 2;
    static final int THREADS = Runtime.getRuntime().availableProcessors();

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String python = args.length > 1 ? args[1] : "/usr/bin/python3";
        Path dir = Files.createTempDirectory("ibex-train-vs-torch");
        Plugins plugins = Plugins.of(List.of(new LlamaProvider()), List.of(new CpuBackendProvider()), List.of(), List.of());
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": %d, "hidden_size": %d,
                 "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "max_position_embeddings": %d, "rms_norm_eps": 1e-6,
                 "tie_word_embeddings": false}
                """.formatted(VOCAB, HIDDEN, INTER, LAYERS, HEADS, HEADS, SEQ));
        Path model = dir.resolve("model");
        long params = RandomInit.write(dir, model, 0, DType.F32, plugins);
        System.out.printf(Locale.ROOT, "model: LLaMA-shaped, %,d parameters (F32), hidden %d, %d layers, vocab %d; "
                + "batch %d x %d tokens, LoRA r=8 on q_proj/v_proj, AdamW; %d threads%n", params, HIDDEN, LAYERS, VOCAB,
                BATCH, SEQ, THREADS);
        List<Double> ibex = new ArrayList<>();
        List<Double> torch = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            ibex.add(ibex(model, plugins));
            torch.add(torch(python));
            System.out.printf(Locale.ROOT, "round %d: Ibex %.0f tokens/s, PyTorch %.0f tokens/s%n", round + 1,
                    ibex.getLast(), torch.getLast());
        }
        double i = median(ibex);
        double t = median(torch);
        System.out.printf(Locale.ROOT, "median: Ibex %.0f tokens/s, PyTorch %.0f tokens/s, ratio %.2fx%n", i, t, i / t);
    }

    static double ibex(Path model, Plugins plugins) {
        LoraSettings lora = new LoraSettings(8, 16, 0, List.of("q_proj", "v_proj"), false, false, 0);
        try (Model m = new ModelLoader(plugins, s -> { }).load(model, LoadOptions.inference().withLora(lora).withThreads(THREADS))) {
            Random random = new Random(0);
            List<TokenizedExample> batch = new ArrayList<>();
            for (int b = 0; b < BATCH; b++) {
                int[] ids = random.ints(SEQ, 0, VOCAB).toArray();
                int[] mask = new int[SEQ];
                Arrays.fill(mask, 1);
                batch.add(new TokenizedExample(ids, ids.clone(), mask, "random " + b));
            }
            TrainingOptions options = TrainingOptions.defaults(Path.of("."), 1e-3, WARMUP + STEPS)
                    .withMicroBatchSize(BATCH).withOptimizer("adamw_torch", 0, 0);
            Trainer trainer = new Trainer(m, options, batch, List.of(), null);
            MicroBatch mb = MicroBatch.collate(batch, 0);
            double seconds = 0;
            for (int step = 0; step < WARMUP + STEPS; step++) {
                long t = System.nanoTime();
                trainer.accumulate(mb, 1f, step);
                trainer.optimizerStep();
                if (step >= WARMUP) {
                    seconds += (System.nanoTime() - t) / 1e9;
                }
            }
            return BATCH * SEQ * STEPS / seconds;
        }
    }

    static double torch(String python) throws IOException, InterruptedException {
        Path script = Path.of("bench/torch/lora_step.py");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("run from the repository root (bench/torch/lora_step.py not found)");
        }
        Process p = new ProcessBuilder(python, script.toString(), "" + HIDDEN, "" + LAYERS, "" + HEADS, "" + INTER,
                "" + VOCAB, "" + BATCH, "" + SEQ, "" + STEPS, "" + WARMUP, "" + THREADS)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the PyTorch script failed:\n" + out);
        }
        Matcher m = Pattern.compile("\"tokens_per_second\": ([0-9.eE+-]+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no tokens_per_second in the PyTorch output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
