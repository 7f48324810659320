package dev.ibex.api.run;

import dev.ibex.api.data.DatasetSpec;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML run file into a {@link RunConfig}. Works on SnakeYAML's node tree so every error can name the line;
 * relative paths resolve against the YAML file's folder.
 */
public final class RunConfigParser {
    private static final Set<String> SCHEDULERS = Set.of("constant", "linear", "cosine");
    private static final Map<String, String> OPTIMIZERS = Map.of(
            "adamw_torch", "adamw_torch", "adamw_torch_fused", "adamw_torch", "adamw_hf", "adamw_torch",
            "paged_adamw_32bit", "adamw_torch", "adamw", "adamw_torch", "sgd", "sgd");

    private final Path file;
    private final Path baseDir;
    private final Map<String, Object> values = new HashMap<>();
    private final Map<String, Integer> lines = new HashMap<>();

    private RunConfigParser(Path file) {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        this.baseDir = parent == null ? Path.of(".") : parent;
    }

    /** Parses and validates {@code file}. */
    public static RunConfig parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RunConfigException(file + ": file not found");
        } catch (IOException e) {
            throw new RunConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file, new java.io.StringReader(text));
    }

    /** Parses YAML text as if it came from {@code file}. */
    public static RunConfig parse(Path file, Reader text) {
        RunConfigParser p = new RunConfigParser(file);
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(text);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            throw new RunConfigException(file + (m == null ? "" : ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
                    + ": YAML syntax error: " + e.getProblem());
        } catch (YAMLException e) {
            throw new RunConfigException(file + ": YAML syntax error: " + e.getMessage());
        }
        if (root == null) {
            throw new RunConfigException(file + ": the file is empty; see the README for an example run");
        }
        if (!(root instanceof MappingNode map)) {
            throw new RunConfigException(file + ":" + line(root) + ": the run must be a mapping of keys (key: value)");
        }
        p.read(map);
        return p.build();
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    private RunConfigException error(String key, String message) {
        Integer at = lines.get(key);
        return new RunConfigException(file + (at == null ? "" : ":" + at) + ": " + key + ": " + message);
    }

    private void read(MappingNode map) {
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new RunConfigException(file + ":" + line(t.getKeyNode()) + ": keys must be plain names");
            }
            String key = k.getValue();
            if (lines.containsKey(key)) {
                throw new RunConfigException(file + ":" + line(k) + ": " + key + " is set twice (first on line "
                        + lines.get(key) + ")");
            }
            lines.put(key, line(k));
            RunKeys.Key spec = RunKeys.get(key);
            if (spec == null) {
                String near = RunKeys.closest(key, RunKeys.all().keySet());
                throw new RunConfigException(file + ":" + line(k) + ": unknown key \"" + key + "\""
                        + (near != null ? "; did you mean \"" + near + "\"?" : "; see the README for the keys Ibex understands"));
            }
            Object v = convert(key, spec.kind(), t.getValueNode());
            if (v != null) {
                values.put(key, v);
            }
        }
    }

    private Object convert(String key, RunKeys.Kind kind, Node node) {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
            return null;
        }
        return switch (kind) {
            case BOOL -> {
                ScalarNode s = scalar(key, node, "true or false");
                if (!s.getTag().equals(Tag.BOOL)) {
                    throw error(key, "must be true or false, got \"" + s.getValue() + "\"");
                }
                yield Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT))
                        || s.getValue().equalsIgnoreCase("yes") || s.getValue().equalsIgnoreCase("on");
            }
            case INT -> {
                ScalarNode s = scalar(key, node, "an integer");
                try {
                    yield Math.toIntExact(Long.parseLong(s.getValue().replace("_", "")));
                } catch (NumberFormatException | ArithmeticException e) {
                    throw error(key, "must be an integer, got \"" + s.getValue() + "\"");
                }
            }
            case NUMBER -> {
                ScalarNode s = scalar(key, node, "a number");
                try {
                    // YAML 1.1 reads 2e-4 as a string; accept it as the number users mean.
                    yield Double.parseDouble(s.getValue().replace("_", ""));
                } catch (NumberFormatException e) {
                    throw error(key, "must be a number, got \"" + s.getValue() + "\"");
                }
            }
            case STRING -> scalar(key, node, "a string").getValue();
            case PATH -> {
                String v = scalar(key, node, "a path").getValue();
                if (v.isBlank()) {
                    throw error(key, "is empty; give a path");
                }
                yield baseDir.resolve(v).normalize();
            }
            case STRING_LIST -> {
                if (node instanceof ScalarNode s) {
                    yield List.of(s.getValue());
                }
                if (!(node instanceof SequenceNode seq)) {
                    throw error(key, "must be a list of strings");
                }
                List<String> out = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    out.add(scalar(key, item, "a list of strings").getValue());
                }
                yield List.copyOf(out);
            }
            case DATASETS -> datasets(key, node);
        };
    }

    private ScalarNode scalar(String key, Node node, String expected) {
        if (!(node instanceof ScalarNode s)) {
            throw error(key, "must be " + expected + ", got a " + (node instanceof SequenceNode ? "list" : "mapping"));
        }
        return s;
    }

    private List<DatasetSpec> datasets(String key, Node node) {
        if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
            throw error(key, "must be a non-empty list of {path, type} entries");
        }
        List<DatasetSpec> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (!(item instanceof MappingNode m)) {
                throw new RunConfigException(file + ":" + line(item) + ": datasets: each entry must be a mapping with path and type");
            }
            String path = null;
            String type = null;
            Map<String, Object> options = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                String k = ((ScalarNode) t.getKeyNode()).getValue();
                if (!(t.getValueNode() instanceof ScalarNode v)) {
                    throw new RunConfigException(file + ":" + line(t.getKeyNode()) + ": datasets: " + k + " must be a plain value");
                }
                switch (k) {
                    case "path" -> path = v.getValue();
                    case "type" -> type = v.getValue();
                    default -> options.put(k, v.getValue());
                }
            }
            if (path == null || path.isBlank()) {
                throw new RunConfigException(file + ":" + line(item) + ": datasets: an entry has no path");
            }
            if (type == null || type.isBlank()) {
                throw new RunConfigException(file + ":" + line(item) + ": datasets: " + path
                        + " has no type (alpaca, guanaco, chatml, tokenized)");
            }
            out.add(new DatasetSpec(baseDir.resolve(path).normalize(), type, options));
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- typed access with defaults

    private Object value(String key) {
        Object v = values.get(key);
        if (v != null) {
            return v;
        }
        RunKeys.Key spec = RunKeys.get(key);
        return spec.kind() == RunKeys.Kind.PATH && spec.fallback() instanceof String s
                ? baseDir.resolve(s).normalize() : spec.fallback();
    }

    private boolean bool(String key) {
        return (Boolean) value(key);
    }

    private int integer(String key, int min) {
        int v = (Integer) value(key);
        if (v < min) {
            throw error(key, "must be at least " + min + ", got " + v);
        }
        return v;
    }

    private double number(String key, double min, double max) {
        double v = ((Number) value(key)).doubleValue();
        if (!(v >= min && v <= max)) {
            throw error(key, "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    private String string(String key) {
        return (String) value(key);
    }

    @SuppressWarnings("unchecked")
    private List<String> strings(String key) {
        return (List<String>) value(key);
    }

    private String oneOf(String key, Set<String> allowed) {
        String v = string(key).toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw error(key, "must be one of " + new java.util.TreeSet<>(allowed) + ", got \"" + string(key) + "\"");
        }
        return v;
    }

    private RunConfig build() {
        if (!values.containsKey("base_model")) {
            throw new RunConfigException(file + ": base_model is required (the model folder to train)");
        }
        if (!values.containsKey("datasets")) {
            throw new RunConfigException(file + ": datasets is required, e.g. datasets: [{path: data.jsonl, type: alpaca}]");
        }
        if (!values.containsKey("learning_rate")) {
            throw new RunConfigException(file + ": learning_rate is required, e.g. learning_rate: 0.0002");
        }
        String kind = values.containsKey("adapter") ? string("adapter").toLowerCase(Locale.ROOT) : "full";
        if (kind.isBlank()) {
            kind = "full";
        }
        if (!Set.of("lora", "qlora", "full").contains(kind)) {
            throw error("adapter", "must be lora, qlora or full (blank), got \"" + string("adapter") + "\"");
        }
        boolean in4 = bool("load_in_4bit");
        boolean in8 = bool("load_in_8bit");
        if (in4 && in8) {
            throw error("load_in_4bit", "load_in_4bit and load_in_8bit cannot both be true");
        }
        if (kind.equals("qlora") && !in4) {
            in4 = true; // axolotl: adapter: qlora implies a 4-bit base
        }
        if (kind.equals("full") && (in4 || in8)) {
            throw error(in4 ? "load_in_4bit" : "load_in_8bit", "a quantized base cannot be fully fine-tuned; use adapter: lora or qlora");
        }
        RunConfig.Model model = new RunConfig.Model((Path) value("base_model"), string("backend"), integer("threads", 0),
                in8, in4, oneOf("bnb_4bit_quant_type", Set.of("nf4", "fp4")), bool("bnb_4bit_use_double_quant"),
                oneOf("bnb_4bit_compute_dtype", Set.of("bfloat16", "float16", "float32", "bf16", "fp16", "fp32")),
                number("llm_int8_threshold", 0, 1e6), strings("llm_int8_skip_modules"), bool("gradient_checkpointing"));
        RunConfig.Adapter adapter = new RunConfig.Adapter(kind, (Path) value("lora_model_dir"), integer("lora_r", 1),
                number("lora_alpha", 1e-9, 1e9), number("lora_dropout", 0, 0.999), strings("lora_target_modules"),
                bool("lora_target_linear"), bool("peft_use_rslora"));
        @SuppressWarnings("unchecked")
        List<DatasetSpec> datasets = (List<DatasetSpec>) value("datasets");
        double val = number("val_set_size", 0, Double.MAX_VALUE);
        if (val >= 1 && val != Math.rint(val)) {
            throw error("val_set_size", "must be a fraction below 1 or a whole count, got " + val);
        }
        String template = values.containsKey("chat_template") ? string("chat_template") : null;
        RunConfig.Data data = new RunConfig.Data(datasets, template, (String) value("system_prompt"),
                integer("sequence_len", 2), val, bool("train_on_inputs"), bool("shuffle"));
        String optimizer = OPTIMIZERS.get(string("optimizer").toLowerCase(Locale.ROOT));
        if (optimizer == null) {
            throw error("optimizer", "must be one of " + new java.util.TreeSet<>(OPTIMIZERS.keySet()) + ", got \""
                    + string("optimizer") + "\"");
        }
        RunConfig.Optim optim = new RunConfig.Optim(integer("micro_batch_size", 1), integer("gradient_accumulation_steps", 1),
                number("num_epochs", 0, 1e6), integer("max_steps", 0), number("learning_rate", 0, 10),
                oneOf("lr_scheduler", SCHEDULERS), integer("warmup_steps", 0), number("warmup_ratio", 0, 1), optimizer,
                number("weight_decay", 0, 10), number("adam_beta1", 0, 0.999999), number("adam_beta2", 0, 0.999999999),
                number("adam_epsilon", 0, 1), number("max_grad_norm", 0, 1e9), integer("seed", 0));
        if (optim.maxSteps() == 0 && optim.numEpochs() == 0) {
            throw error("num_epochs", "num_epochs is 0 and max_steps is not set: nothing would train");
        }
        RunConfig.Output output = new RunConfig.Output((Path) value("output_dir"), integer("save_steps", 0),
                integer("eval_steps", 0), integer("logging_steps", 1), integer("save_total_limit", 0),
                (String) value("resume_from_checkpoint"), bool("merge_lora"));
        RunConfig.Generation generation = new RunConfig.Generation(strings("test_prompts"), integer("max_new_tokens", 1),
                number("temperature", 0, 100));
        if (values.containsKey("base_model_config") && !value("base_model_config").equals(value("base_model"))) {
            throw error("base_model_config", "differs from base_model; Ibex reads the config from the model folder");
        }
        return new RunConfig(file, model, adapter, data, optim, output, generation);
    }
}
