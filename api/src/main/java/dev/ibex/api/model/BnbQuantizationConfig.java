package dev.ibex.api.model;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.tensor.DType;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code quantization_config} that transformers writes into {@code config.json} for a bitsandbytes model
 * ({@code BitsAndBytesConfig.to_dict()}), read into {@link QuantSettings} and written from them.
 */
public final class BnbQuantizationConfig {
    /** The config.json key. */
    public static final String KEY = "quantization_config";

    private BnbQuantizationConfig() {
    }

    /** The settings a quantized model folder was saved with, or empty when its config has none. */
    public static Optional<QuantSettings> read(HfConfig config) {
        Optional<Map<String, Object>> q = config.object(KEY);
        if (q.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> m = q.get();
        Object method = m.get("quant_method");
        if (method != null && !"bitsandbytes".equals(method)) {
            throw new IbexException(config.source() + ": quantization_config.quant_method \"" + method
                    + "\" is not supported; Ibex reads bitsandbytes checkpoints (nf4, fp4, int8)");
        }
        boolean in4 = Boolean.TRUE.equals(m.get("load_in_4bit")) || Boolean.TRUE.equals(m.get("_load_in_4bit"));
        boolean in8 = Boolean.TRUE.equals(m.get("load_in_8bit")) || Boolean.TRUE.equals(m.get("_load_in_8bit"));
        Set<String> skip = skipModules(m.get("llm_int8_skip_modules"));
        if (in4) {
            String type = String.valueOf(m.getOrDefault("bnb_4bit_quant_type", "fp4")).toLowerCase(Locale.ROOT);
            DType compute = DType.fromUserName(String.valueOf(m.getOrDefault("bnb_4bit_compute_dtype", "float32")))
                    .orElse(DType.F32);
            boolean dq = Boolean.TRUE.equals(m.get("bnb_4bit_use_double_quant"));
            return Optional.of(new QuantSettings(new QuantOptions(type, 64, dq, compute, 0f), skip));
        }
        if (in8) {
            double threshold = m.get("llm_int8_threshold") instanceof Number n ? n.doubleValue() : 6.0;
            return Optional.of(new QuantSettings(QuantOptions.int8((float) threshold), skip));
        }
        throw new IbexException(config.source() + ": quantization_config sets neither load_in_4bit nor load_in_8bit");
    }

    private static Set<String> skipModules(Object value) {
        if (value instanceof List<?> list) {
            return Set.copyOf(list.stream().map(String::valueOf).toList());
        }
        return Set.of();
    }

    /** The {@code quantization_config} transformers would write for {@code settings} (keys sorted, as it does). */
    public static Map<String, Object> write(QuantSettings settings) {
        QuantOptions o = settings.options();
        boolean in4 = !o.format().equalsIgnoreCase("int8");
        Map<String, Object> m = new TreeMap<>();
        m.put("_load_in_4bit", in4);
        m.put("_load_in_8bit", !in4);
        m.put("bnb_4bit_compute_dtype", torchName(in4 ? o.computeDtype() : DType.F32));
        m.put("bnb_4bit_quant_storage", "uint8");
        m.put("bnb_4bit_quant_type", in4 ? o.format().toLowerCase(Locale.ROOT) : "fp4");
        m.put("bnb_4bit_use_double_quant", in4 && o.doubleQuant());
        m.put("llm_int8_enable_fp32_cpu_offload", false);
        m.put("llm_int8_has_fp16_weight", false);
        m.put("llm_int8_skip_modules",
                settings.skipModules().isEmpty() ? null : settings.skipModules().stream().sorted().toList());
        m.put("llm_int8_threshold", in4 ? 6.0 : (double) o.outlierThreshold());
        m.put("load_in_4bit", in4);
        m.put("load_in_8bit", !in4);
        m.put("quant_method", "bitsandbytes");
        return m;
    }

    private static String torchName(DType dtype) {
        return switch (dtype) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        };
    }
}
