package dev.ibex.spi.arch;

import dev.ibex.spi.backend.RopeSpec;
import java.util.Map;

/** Reads a Hugging Face {@code rope_scaling} object into a {@link RopeSpec}, rejecting kinds Ibex cannot honour. */
public final class RopeScaling {
    private RopeScaling() {
    }

    /**
     * The rotary embedding for {@code config}: {@code rope_theta}, and {@code rope_scaling} of type {@code linear}
     * (positions divided by the factor) or {@code llama3} (frequency-dependent inverse frequencies); absent or
     * {@code default} means none.
     */
    public static RopeSpec fromConfig(HfConfig config, int headDim, double theta) {
        var scaling = config.object("rope_scaling");
        RopeSpec base = RopeSpec.standard(headDim, headDim, theta, 1f);
        if (scaling.isEmpty()) {
            return base;
        }
        Map<String, Object> s = scaling.get();
        Object kind = s.containsKey("rope_type") ? s.get("rope_type") : s.get("type");
        String type = kind == null ? "default" : kind.toString();
        return switch (type) {
            case "default" -> base;
            case "linear" -> RopeSpec.standard(headDim, headDim, theta, (float) factor(config, s));
            case "llama3" -> llama3(config, s, base);
            default -> throw config.error("rope_scaling type \"" + type
                    + "\" is not supported (supported: linear, llama3); remove rope_scaling to run without it");
        };
    }

    private static double factor(HfConfig config, Map<String, Object> s) {
        Object f = s.get("factor");
        if (!(f instanceof Number n) || n.doubleValue() <= 0) {
            throw config.error("rope_scaling needs a positive \"factor\", got " + f);
        }
        return n.doubleValue();
    }

    /** Meta's Llama 3.1 scaling, as transformers' {@code _compute_llama3_parameters}. */
    private static RopeSpec llama3(HfConfig config, Map<String, Object> s, RopeSpec base) {
        double factor = factor(config, s);
        double low = number(config, s, "low_freq_factor");
        double high = number(config, s, "high_freq_factor");
        double oldContext = number(config, s, "original_max_position_embeddings");
        double lowWavelen = oldContext / low;
        double highWavelen = oldContext / high;
        float[] inv = base.invFreq().clone();
        for (int i = 0; i < inv.length; i++) {
            double freq = inv[i];
            double wavelen = 2 * Math.PI / freq;
            if (wavelen > lowWavelen) {
                inv[i] = (float) (freq / factor);
            } else if (wavelen >= highWavelen) {
                double smooth = (oldContext / wavelen - low) / (high - low);
                inv[i] = (float) ((1 - smooth) * freq / factor + smooth * freq);
            }
        }
        return new RopeSpec(base.headDim(), inv, 1f);
    }

    private static double number(HfConfig config, Map<String, Object> s, String key) {
        if (!(s.get(key) instanceof Number n)) {
            throw config.error("rope_scaling of type llama3 needs \"" + key + "\"");
        }
        return n.doubleValue();
    }
}
