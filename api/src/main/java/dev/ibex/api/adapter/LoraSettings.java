package dev.ibex.api.adapter;

import java.util.List;

/**
 * A LoRA configuration, with PEFT's meaning for every field.
 *
 * @param rank          r
 * @param alpha         lora_alpha
 * @param dropout       lora_dropout (on the adapter's input only)
 * @param targets       target_modules: module names or name suffixes ({@code q_proj}); empty means the
 *                      architecture's defaults
 * @param allLinear     target every linear but the output head (PEFT {@code "all-linear"}, axolotl
 *                      {@code lora_target_linear})
 * @param rslora        use_rslora: scaling {@code alpha/√r} instead of {@code alpha/r}
 * @param seed          seed of the initialisation
 */
public record LoraSettings(int rank, double alpha, double dropout, List<String> targets, boolean allLinear,
                           boolean rslora, long seed) {
    public LoraSettings {
        targets = List.copyOf(targets);
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
    }

    /** PEFT's scaling of the adapter's output. */
    public float scaling() {
        return (float) (rslora ? alpha / Math.sqrt(rank) : alpha / rank);
    }

    /**
     * Whether PEFT would wrap module {@code name}: equal to a target or ending with {@code "." + target}, or any
     * linear but {@code outputModule} with {@code allLinear}.
     */
    public boolean targets(String name, String outputModule, List<String> defaults) {
        if (allLinear) {
            return !name.equals(outputModule);
        }
        List<String> list = targets.isEmpty() ? defaults : targets;
        for (String t : list) {
            if (name.equals(t) || name.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }
}
