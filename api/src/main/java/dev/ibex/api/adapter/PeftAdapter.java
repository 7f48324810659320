package dev.ibex.api.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ibex.api.internal.Json;
import dev.ibex.api.io.SafetensorsFile;
import dev.ibex.api.io.SafetensorsWriter;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A PEFT LoRA adapter folder: {@code adapter_config.json} and {@code adapter_model.safetensors}, whose keys are
 * {@code base_model.model.<module>.lora_A.weight} ({@code [r, in]}) and {@code ...lora_B.weight}
 * ({@code [out, r]}). Reading accepts what PEFT writes; writing produces what PEFT (0.7 and later) loads.
 */
public final class PeftAdapter implements AutoCloseable {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";

    private final Path dir;
    private final LoraSettings settings;
    private final Pattern targetRegex;
    private final String baseModel;
    private final SafetensorsFile weights;

    private PeftAdapter(Path dir, LoraSettings settings, Pattern targetRegex, String baseModel, SafetensorsFile weights) {
        this.dir = dir;
        this.settings = settings;
        this.targetRegex = targetRegex;
        this.baseModel = baseModel;
        this.weights = weights;
    }

    /** The PEFT key of module {@code module}'s {@code lora_A} or {@code lora_B} weight. */
    public static String key(String module, char which) {
        return PREFIX + module + ".lora_" + which + ".weight";
    }

    /** Reads the adapter in {@code dir}; unsupported PEFT features fail with a message naming them. */
    public static PeftAdapter read(Path dir, BufferAllocator allocator) {
        if (!Files.isDirectory(dir)) {
            throw new IbexException(dir + ": no such adapter folder (expected " + CONFIG + " and " + WEIGHTS + ")");
        }
        Path configPath = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configPath)) {
            throw new IbexException(dir + ": no " + CONFIG + ", so this is not a PEFT adapter folder");
        }
        JsonNode c = Json.read(configPath);
        String where = configPath.toString();
        String type = c.path("peft_type").asText("");
        if (!type.equals("LORA")) {
            throw new IbexException(where + ": peft_type \"" + type + "\" is not supported (only LORA)");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw new IbexException(where + ": fan_in_fan_out adapters (GPT-2 Conv1D) are not supported");
        }
        String bias = c.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new IbexException(where + ": bias \"" + bias + "\" is not supported (only \"none\")");
        }
        if (c.path("use_dora").asBoolean(false)) {
            throw new IbexException(where + ": DoRA adapters (use_dora) are not supported");
        }
        for (String unsupported : List.of("rank_pattern", "alpha_pattern")) {
            if (c.path(unsupported).size() > 0) {
                throw new IbexException(where + ": per-module " + unsupported + " is not supported");
            }
        }
        if (c.hasNonNull("modules_to_save") && c.get("modules_to_save").size() > 0) {
            throw new IbexException(where + ": modules_to_save " + c.get("modules_to_save") + " is not supported");
        }
        if (c.hasNonNull("layers_to_transform")) {
            throw new IbexException(where + ": layers_to_transform is not supported");
        }
        int r = c.path("r").asInt(8);
        List<String> targets = new ArrayList<>();
        boolean allLinear = false;
        Pattern regex = null;
        JsonNode t = c.get("target_modules");
        if (t != null && t.isArray()) {
            t.forEach(n -> targets.add(n.asText()));
        } else if (t != null && t.isTextual()) {
            if (t.asText().equals("all-linear")) {
                allLinear = true;
            } else {
                regex = Pattern.compile(t.asText()); // PEFT: a string is a regex matched against the full name
            }
        }
        LoraSettings settings = new LoraSettings(r, c.path("lora_alpha").asDouble(8), c.path("lora_dropout").asDouble(0),
                targets, allLinear, c.path("use_rslora").asBoolean(false), 0);
        Path weightsPath = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weightsPath)) {
            throw new IbexException(dir + ": no " + WEIGHTS
                    + (Files.isRegularFile(dir.resolve("adapter_model.bin"))
                    ? " (only adapter_model.bin, a pickle: resave it with safe_serialization=True)" : ""));
        }
        SafetensorsFile weights = SafetensorsFile.open(weightsPath, allocator);
        for (String key : weights.tensors().keySet()) {
            if (!key.startsWith(PREFIX) || !(key.endsWith(".lora_A.weight") || key.endsWith(".lora_B.weight"))) {
                weights.close();
                throw new IbexException(weightsPath + ": unexpected tensor \"" + key
                        + "\" (expected base_model.model.<module>.lora_A/lora_B.weight)");
            }
        }
        return new PeftAdapter(dir, settings, regex, c.path("base_model_name_or_path").asText(""), weights);
    }

    public Path dir() {
        return dir;
    }

    public LoraSettings settings() {
        return settings;
    }

    public String baseModel() {
        return baseModel;
    }

    /** The modules this adapter holds weights for, in file order. */
    public List<String> modules() {
        List<String> out = new ArrayList<>();
        for (String key : weights.tensors().keySet()) {
            if (key.endsWith(".lora_A.weight")) {
                out.add(key.substring(PREFIX.length(), key.length() - ".lora_A.weight".length()));
            }
        }
        return out;
    }

    /** Whether PEFT would wrap {@code module} with this adapter's target rule. */
    public boolean targets(String module, String outputModule, List<String> defaults) {
        if (targetRegex != null) {
            return targetRegex.matcher(module).matches();
        }
        return settings.targets(module, outputModule, defaults);
    }

    /** {@code lora_A} ({@code 'A'}) or {@code lora_B} ({@code 'B'}) of {@code module}. */
    public HostTensor weight(String module, char which) {
        HostTensor t = weights.tensors().get(key(module, which));
        if (t == null) {
            throw new IbexException(weights.path() + ": no tensor " + key(module, which));
        }
        return t;
    }

    @Override
    public void close() {
        weights.close();
    }

    /**
     * Writes an adapter folder atomically-per-file: {@code adapter_config.json} with PEFT's fields and
     * {@code adapter_model.safetensors} with PEFT's keys (F32).
     *
     * @param weights module name → {A, B} host tensors
     */
    public static void write(Path dir, LoraSettings settings, List<String> targetNames, String baseModel,
                             Map<String, HostTensor[]> weights) {
        ObjectNode c = Json.object();
        c.putObject("alpha_pattern");
        c.putNull("auto_mapping");
        c.put("base_model_name_or_path", baseModel);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("layers_pattern");
        c.putNull("layers_to_transform");
        c.putObject("loftq_config");
        c.put("lora_alpha", settings.alpha());
        c.put("lora_dropout", settings.dropout());
        c.putNull("megatron_config");
        c.put("megatron_core", "megatron.core");
        c.putNull("modules_to_save");
        c.put("peft_type", "LORA");
        c.put("r", settings.rank());
        c.putObject("rank_pattern");
        c.putNull("revision");
        ArrayNode targets = c.putArray("target_modules");
        targetNames.forEach(targets::add);
        c.put("task_type", "CAUSAL_LM");
        if (settings.rslora()) {
            c.put("use_rslora", true); // PEFT >= 0.8 only; older versions reject unknown keys, so write it only when set
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, HostTensor[]>> it = weights.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            tensors.put(key(e.getKey(), 'A'), e.getValue()[0]);
            tensors.put(key(e.getKey(), 'B'), e.getValue()[1]);
        }
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new IbexException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
        Json.write(dir.resolve(CONFIG), c);
    }
}
