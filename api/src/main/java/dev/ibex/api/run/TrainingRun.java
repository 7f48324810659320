package dev.ibex.api.run;

import dev.ibex.api.adapter.LoraSettings;
import dev.ibex.api.data.ChatExample;
import dev.ibex.api.data.Dataset;
import dev.ibex.api.data.DatasetSpec;
import dev.ibex.api.data.Datasets;
import dev.ibex.api.data.Example;
import dev.ibex.api.data.TextExample;
import dev.ibex.api.data.TokenizedExample;
import dev.ibex.api.internal.Json;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.model.QuantSettings;
import dev.ibex.api.model.Trainability;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.tokenizer.HfTokenizer;
import dev.ibex.api.train.Checkpoints;
import dev.ibex.api.train.LossPlot;
import dev.ibex.api.train.MetricsLog;
import dev.ibex.api.train.Trainer;
import dev.ibex.api.train.TrainingListener;
import dev.ibex.api.train.TrainingOptions;
import dev.ibex.api.train.TrainingSummary;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.ChatTemplateProvider;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a YAML training run end to end: loads the base model (quantized for QLoRA / 8-bit LoRA), reads and encodes
 * the datasets with their chat template, holds out a validation split, trains with metrics and checkpoints, and
 * writes the adapter (or the fully fine-tuned model), the loss curve and a summary into {@code output_dir}.
 */
public final class TrainingRun implements AutoCloseable {
    /** Where each dataset type's conversations are rendered when {@code chat_template} is not set. */
    private static final Map<String, String> DEFAULT_TEMPLATE = Map.of("alpaca", "alpaca", "guanaco", "guanaco",
            "chatml", "chatml", "messages", "chatml", "chat_template", "chatml", "sharegpt", "chatml");

    private final RunConfig config;
    private final Plugins plugins;
    private final Consumer<String> notices;
    private Model model;
    private HfTokenizer tokenizer;
    private ChatTemplate template;
    private TrainingSummary summary;

    public TrainingRun(RunConfig config, Plugins plugins, Consumer<String> notices) {
        this.config = config;
        this.plugins = plugins;
        this.notices = notices;
    }

    /** The trained model (adapters enabled), for generation after training; valid until {@link #close()}. */
    public Model model() {
        return model;
    }

    /** The model's tokenizer, or null when the run used only pre-tokenized data and the folder has none. */
    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /** The chat template the run trained with, or null for pre-tokenized data. */
    public ChatTemplate template() {
        return template;
    }

    public TrainingSummary summary() {
        return summary;
    }

    /** Trains; {@code listener} sees every step (progress bars). */
    public TrainingSummary train(TrainingListener listener) {
        RunConfig.Output out = config.output();
        Path checkpoint = out.resumeFromCheckpoint() == null ? null
                : Checkpoints.resolve(out.resumeFromCheckpoint(), out.outputDir());
        model = new ModelLoader(plugins, notices).load(baseModel(checkpoint), loadOptions(checkpoint));
        List<TokenizedExample> examples = encode();
        List<List<TokenizedExample>> split = split(examples);
        List<TokenizedExample> train = split.get(0);
        List<TokenizedExample> validation = split.get(1);
        notices.accept(train.size() + " training examples" + (validation.isEmpty() ? "" : ", " + validation.size()
                + " for validation") + "; " + model.parameters().size() + " trainable tensors ("
                + String.format("%,d", model.parameters().values().stream().mapToLong(v -> v.shape().numel()).sum())
                + " parameters); " + baseMemory(model));
        Checkpoints.State state = checkpoint == null ? null : Checkpoints.read(checkpoint);
        int from = state == null ? 0 : state.step();
        try (MetricsLog metrics = new MetricsLog(out.outputDir(), from)) {
            Trainer trainer = new Trainer(model, trainingOptions(), train, validation,
                    TrainingListener.all(metrics, listener == null ? new TrainingListener() { } : listener));
            if (state != null) {
                trainer.restore(state.step(), state.microBatches(), state.optimizer());
                notices.accept("resuming from " + checkpoint + " at step " + from + " of " + trainer.totalSteps());
            }
            summary = trainer.run(t -> Checkpoints.save(out.outputDir(), model, t, config.optim().seed(),
                    out.saveTotalLimit()));
            finish(metrics, from);
        }
        return summary;
    }

    private Path baseModel(Path checkpoint) {
        if (checkpoint != null && !config.adapter().lora()) {
            return Checkpoints.weights(checkpoint); // full fine-tuning resumes from the checkpoint's own weights
        }
        return config.model().baseModel();
    }

    private LoadOptions loadOptions(Path checkpoint) {
        RunConfig.Model m = config.model();
        RunConfig.Adapter a = config.adapter();
        LoadOptions o = LoadOptions.inference().withBackend(m.backend()).withThreads(m.threads());
        if (!a.lora()) {
            return o.withTrainability(Trainability.FULL);
        }
        LoraSettings lora = new LoraSettings(a.rank(), a.alpha(), a.dropout(), a.targetModules(), a.targetLinear(),
                a.rslora(), config.optim().seed());
        o = o.withLora(lora);
        Path adapter = checkpoint != null ? Checkpoints.weights(checkpoint) : a.loraModelDir();
        if (adapter != null) {
            o = o.withAdapter(adapter);
        }
        Set<String> skip = Set.copyOf(m.skipModules());
        if (m.loadIn4bit()) {
            DType compute = DType.fromUserName(m.computeDtype()).orElse(DType.BF16);
            o = o.withQuantization(new QuantSettings(
                    new QuantOptions(m.quantType4bit(), 64, m.doubleQuant(), compute, 0f), skip));
        } else if (m.loadIn8bit()) {
            o = o.withQuantization(new QuantSettings(QuantOptions.int8((float) m.int8Threshold()), skip));
        }
        return o;
    }

    private TrainingOptions trainingOptions() {
        RunConfig.Optim p = config.optim();
        RunConfig.Output out = config.output();
        return new TrainingOptions(p.microBatchSize(), p.gradAccum(), p.numEpochs(), p.maxSteps(), p.learningRate(),
                p.scheduler(), p.warmupSteps(), p.warmupRatio(), p.optimizer(), p.weightDecay(), p.beta1(), p.beta2(),
                p.epsilon(), p.maxGradNorm(), p.seed(), config.data().shuffle(), config.model().gradientCheckpointing(),
                out.saveSteps(), out.evalSteps(), out.loggingSteps(), out.saveTotalLimit(), out.outputDir());
    }

    /** Reads every dataset and encodes it into ids and labels, cut to {@code sequence_len}. */
    private List<TokenizedExample> encode() {
        RunConfig.Data data = config.data();
        List<TokenizedExample> out = new ArrayList<>();
        int untrainable = 0;
        for (DatasetSpec entry : data.datasets()) {
            Map<String, Object> readerOptions = new LinkedHashMap<>();
            Map<String, Object> templateOptions = new LinkedHashMap<>();
            ChatTemplateProvider provider = null;
            boolean text = entry.type().equalsIgnoreCase("completion");
            if (!entry.type().equalsIgnoreCase("tokenized") && !text) {
                provider = plugins.template(templateName(entry));
            }
            Set<String> readerKeys = Datasets.options(entry.type());
            Set<String> templateKeys = provider == null ? Set.of() : provider.optionKeys();
            for (var e : entry.options().entrySet()) {
                if (readerKeys.contains(e.getKey())) {
                    readerOptions.put(e.getKey(), e.getValue());
                } else if (templateKeys.contains(e.getKey())) {
                    templateOptions.put(e.getKey(), e.getValue());
                } else {
                    throw new IbexException(config.source() + ": datasets: " + entry.path() + ": unknown option \""
                            + e.getKey() + "\"; the " + entry.type() + " reader takes " + readerKeys
                            + (provider == null ? "" : " and the " + provider.name() + " template takes " + templateKeys));
                }
            }
            if (data.systemPrompt() != null && templateKeys.contains("system_prompt")) {
                templateOptions.putIfAbsent("system_prompt", data.systemPrompt());
            }
            Dataset dataset = Datasets.load(new DatasetSpec(entry.path(), entry.type(), readerOptions));
            if (provider != null) {
                template = provider.create(templateOptions);
            }
            if ((provider != null || text) && tokenizer == null) {
                tokenizer = HfTokenizer.load(model.folder().dir());
            }
            if (text) {
                out.addAll(pack(dataset.examples(), data.sequenceLen()));
                continue;
            }
            for (Example example : dataset.examples()) {
                TokenizedExample t = switch (example) {
                    case TokenizedExample tok -> cut(tok, data.sequenceLen());
                    case TextExample ignored -> throw new IllegalStateException("text outside a completion dataset");
                    case ChatExample chat -> {
                        EncodedExample e = template.encode(chat.conversation(), tokenizer, data.trainOnInputs(),
                                data.sequenceLen());
                        int[] mask = new int[e.inputIds().length];
                        Arrays.fill(mask, 1);
                        yield new TokenizedExample(e.inputIds(), e.labels(), mask, chat.location());
                    }
                };
                if (Arrays.stream(t.labels()).skip(1).allMatch(l -> l == EncodedExample.IGNORE)) {
                    untrainable++;
                    continue;
                }
                out.add(t);
            }
        }
        if (untrainable > 0) {
            notices.accept("skipped " + untrainable + " example(s) with nothing to train on (every label masked, e.g. "
                    + "no assistant reply within sequence_len)");
        }
        if (out.isEmpty()) {
            throw new IbexException(config.source() + ": no trainable examples in the datasets");
        }
        if (tokenizer == null && Files.isRegularFile(model.folder().dir().resolve("tokenizer.json"))) {
            tokenizer = HfTokenizer.load(model.folder().dir());
        }
        return out;
    }

    /**
     * Packs plain texts into blocks of {@code sequenceLen} tokens for language modelling: each text tokenized
     * without special tokens and ended with EOS, all concatenated, cut into consecutive blocks (a shorter last
     * block is kept), every token trained.
     */
    private List<TokenizedExample> pack(List<Example> texts, int sequenceLen) {
        int eos = tokenizer.eosId().orElseThrow(() -> new IbexException(model.folder().dir()
                + ": the tokenizer has no EOS token to separate packed texts"));
        List<TokenizedExample> blocks = new ArrayList<>();
        int[] block = new int[sequenceLen];
        int filled = 0;
        String first = null;
        for (Example e : texts) {
            TextExample t = (TextExample) e;
            if (first == null) {
                first = t.location();
            }
            int[] ids = tokenizer.encode(t.text(), false);
            for (int i = 0; i <= ids.length; i++) {
                block[filled++] = i < ids.length ? ids[i] : eos;
                if (filled == sequenceLen) {
                    blocks.add(packed(block, filled, first));
                    filled = 0;
                    first = t.location();
                }
            }
        }
        if (filled > 1) {
            blocks.add(packed(block, filled, first));
        }
        return blocks;
    }

    private static TokenizedExample packed(int[] block, int length, String location) {
        int[] ids = Arrays.copyOf(block, length);
        int[] mask = new int[length];
        Arrays.fill(mask, 1);
        return new TokenizedExample(ids, ids.clone(), mask, "block from " + location);
    }

    private String templateName(DatasetSpec entry) {
        if (config.data().chatTemplate() != null) {
            return config.data().chatTemplate();
        }
        String name = DEFAULT_TEMPLATE.get(entry.type().toLowerCase(java.util.Locale.ROOT));
        if (name == null) {
            throw new IbexException(config.source() + ": datasets: " + entry.path() + " has type " + entry.type()
                    + "; set chat_template to say how to render it");
        }
        return name;
    }

    private static TokenizedExample cut(TokenizedExample t, int max) {
        if (t.inputIds().length <= max) {
            return t;
        }
        return new TokenizedExample(Arrays.copyOf(t.inputIds(), max), Arrays.copyOf(t.labels(), max),
                Arrays.copyOf(t.attentionMask(), max), t.location());
    }

    /** A seeded shuffle, then the first {@code val_set_size} examples (fraction or count) for validation. */
    private List<List<TokenizedExample>> split(List<TokenizedExample> all) {
        double size = config.data().valSetSize();
        int n = size <= 0 ? 0 : size < 1 ? (int) Math.ceil(size * all.size()) : (int) size;
        if (n == 0) {
            return List.of(all, List.of());
        }
        if (n >= all.size()) {
            throw new IbexException(config.source() + ": val_set_size " + size + " leaves no training examples (of "
                    + all.size() + ")");
        }
        Integer[] order = new Integer[all.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(config.optim().seed());
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<TokenizedExample> validation = new ArrayList<>();
        List<TokenizedExample> train = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            (i < n ? validation : train).add(all.get(order[i]));
        }
        return List.of(train, validation);
    }

    /** Final outputs: the adapter or model, the loss curve, a summary, and the merged model when asked. */
    private void finish(MetricsLog metrics, int resumedAt) {
        Path dir = config.output().outputDir();
        if (model.adapters().isEmpty()) {
            model.saveWeights(dir.resolve("model"));
        } else {
            model.saveAdapter(dir);
            if (config.output().mergeLora()) {
                dev.ibex.api.model.Merger.merge(model, dir.resolve("merged"));
            }
        }
        LossPlot.write(dir.resolve("loss.png"), summary.history(), metrics.validation(),
                "ibex " + config.source().getFileName() + " (" + config.adapter().kind() + ")");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("steps", summary.steps());
        s.put("final_loss", summary.finalLoss());
        s.put("validation_loss", Double.isNaN(summary.validationLoss()) ? null : summary.validationLoss());
        // tokens and seconds are this sitting's: a resumed run counts from resumed_at_step
        s.put("resumed_at_step", resumedAt);
        s.put("tokens", summary.tokens());
        s.put("seconds", summary.seconds());
        s.put("tokens_per_second", summary.tokens() / Math.max(summary.seconds(), 1e-9));
        s.put("base_weight_bytes", model.baseBytes());
        s.put("base_quantized_bytes", model.quantizedBytes());
        s.put("base_quantized_linears", model.quantizedWeights().size());
        s.put("base_quantized_format", model.quantizedWeights().values().stream().map(q -> q.format()).distinct()
                .findFirst().orElse(null));
        s.put("base_quantized_bits_per_weight", quantizedBitsPerWeight(model));
        s.put("checkpoint_bytes", model.weightBytes());
        s.put("trainable_parameters", model.parameters().values().stream().mapToLong(v -> v.shape().numel()).sum());
        Json.write(dir.resolve("train_summary.json"), s);
    }

    /**
     * What the base weights occupy: for a quantized base, the quantized weights at their stored size next to the
     * dense weights the model keeps (embeddings, norms, head).
     */
    static String baseMemory(Model model) {
        if (model.quantizedWeights().isEmpty()) {
            return "base weights " + String.format("%,d", model.baseBytes()) + " bytes";
        }
        String format = model.quantizedWeights().values().iterator().next().format();
        return String.format("base weights %,d bytes in memory: %d linears in %s, %,d bytes (%.3f bits/weight), "
                        + "and %,d bytes dense (embeddings, norms, head)", model.baseBytes(),
                model.quantizedWeights().size(), format, model.quantizedBytes(), quantizedBitsPerWeight(model),
                model.baseBytes() - model.quantizedBytes());
    }

    private static Double quantizedBitsPerWeight(Model model) {
        long weights = model.quantizedWeights().values().stream().mapToLong(q -> q.shape().numel()).sum();
        return weights == 0 ? null : model.quantizedBytes() * 8.0 / weights;
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
