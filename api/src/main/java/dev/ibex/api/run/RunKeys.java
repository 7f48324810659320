package dev.ibex.api.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every YAML key Ibex understands: its type, default and meaning. The parser accepts nothing else, and the README's
 * key table is this list.
 */
public final class RunKeys {
    private RunKeys() {
    }

    /** Value kinds. */
    public enum Kind { BOOL, INT, NUMBER, STRING, PATH, STRING_LIST, DATASETS }

    /**
     * A key.
     *
     * @param name        the YAML key
     * @param kind        its type
     * @param fallback    its default (null: none / required where noted)
     * @param description what it does
     */
    public record Key(String name, Kind kind, Object fallback, String description) {
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    private static void key(String name, Kind kind, Object fallback, String description) {
        KEYS.put(name, new Key(name, kind, fallback, description));
    }

    static {
        // model
        key("base_model", Kind.PATH, null, "model folder (Hugging Face layout); required");
        key("base_model_config", Kind.PATH, null, "accepted for axolotl compatibility; must equal base_model if set");
        key("model_type", Kind.STRING, null, "accepted for axolotl compatibility (the architecture comes from config.json)");
        key("tokenizer_type", Kind.STRING, null, "accepted for axolotl compatibility (the tokenizer comes from the model folder)");
        key("backend", Kind.STRING, "auto", "compute backend: cpu, tornado, ... or auto");
        key("threads", Kind.INT, 0, "CPU threads (0 = all cores)");
        key("load_in_8bit", Kind.BOOL, false, "quantize the frozen base to LLM.int8 (8-bit LoRA)");
        key("load_in_4bit", Kind.BOOL, false, "quantize the frozen base to 4 bits (QLoRA)");
        key("bnb_4bit_quant_type", Kind.STRING, "nf4", "4-bit format: nf4 or fp4");
        key("bnb_4bit_use_double_quant", Kind.BOOL, true, "quantize the 4-bit scales again (saves 0.37 bits/weight)");
        key("bnb_4bit_compute_dtype", Kind.STRING, "bfloat16", "dtype the 4-bit weights are dequantized to");
        key("llm_int8_threshold", Kind.NUMBER, 6.0, "LLM.int8 outlier threshold (0 = plain int8)");
        key("llm_int8_skip_modules", Kind.STRING_LIST, List.of(), "modules left unquantized, by name or suffix (the output head always is)");
        key("gradient_checkpointing", Kind.BOOL, false, "recompute each layer's activations in the backward pass");
        key("bf16", Kind.STRING, null, "accepted for axolotl compatibility: Ibex computes in F32 and keeps bf16 weights as stored");
        key("fp16", Kind.STRING, null, "accepted for axolotl compatibility (see bf16)");
        key("tf32", Kind.STRING, null, "accepted for axolotl compatibility (see bf16)");
        // adapter
        key("adapter", Kind.STRING, "full", "lora, qlora, or full / blank / absent (every weight trains, as axolotl)");
        key("lora_model_dir", Kind.PATH, null, "start from this PEFT adapter instead of a fresh one");
        key("lora_r", Kind.INT, 8, "LoRA rank");
        key("lora_alpha", Kind.NUMBER, 16.0, "LoRA alpha (scaling = alpha / r)");
        key("lora_dropout", Kind.NUMBER, 0.0, "dropout on the adapter's input");
        key("lora_target_modules", Kind.STRING_LIST, List.of(), "modules to adapt (default: the architecture's, e.g. q_proj, v_proj)");
        key("lora_target_linear", Kind.BOOL, false, "adapt every linear layer but the output head");
        key("peft_use_rslora", Kind.BOOL, false, "rank-stabilised LoRA: scaling = alpha / sqrt(r)");
        // data
        key("datasets", Kind.DATASETS, null, "list of {path, type} (type: alpaca, guanaco, chatml, tokenized, completion); required");
        key("chat_template", Kind.STRING, null, "prompt format: alpaca, guanaco or chatml (default: from the dataset type)");
        key("system_prompt", Kind.STRING, null, "system text for templates that take one");
        key("sequence_len", Kind.INT, 512, "examples are cut to this many tokens");
        key("val_set_size", Kind.NUMBER, 0.0, "held-out validation share (fraction < 1) or count (>= 1)");
        key("train_on_inputs", Kind.BOOL, false, "train on the prompt tokens too, not only the responses");
        key("shuffle", Kind.BOOL, true, "shuffle the training examples every epoch (seeded)");
        // optimisation
        key("micro_batch_size", Kind.INT, 1, "examples per forward pass");
        key("gradient_accumulation_steps", Kind.INT, 1, "micro-batches per optimizer step");
        key("num_epochs", Kind.NUMBER, 1.0, "passes over the training data");
        key("max_steps", Kind.INT, 0, "optimizer steps (0 = from num_epochs)");
        key("learning_rate", Kind.NUMBER, null, "peak learning rate; required");
        key("lr_scheduler", Kind.STRING, "cosine", "constant, linear or cosine");
        key("warmup_steps", Kind.INT, 0, "linear warmup steps");
        key("warmup_ratio", Kind.NUMBER, 0.0, "warmup as a share of all steps (when warmup_steps is 0)");
        key("optimizer", Kind.STRING, "adamw_torch", "adamw_torch (also adamw_torch_fused, paged_adamw_32bit) or sgd");
        key("weight_decay", Kind.NUMBER, 0.0, "decoupled weight decay (AdamW) / L2 (SGD)");
        key("adam_beta1", Kind.NUMBER, 0.9, "AdamW beta1");
        key("adam_beta2", Kind.NUMBER, 0.999, "AdamW beta2");
        key("adam_epsilon", Kind.NUMBER, 1e-8, "AdamW epsilon");
        key("max_grad_norm", Kind.NUMBER, 1.0, "clip gradients to this global norm (0 disables)");
        key("seed", Kind.INT, 42, "seed of initialisation, shuffling, dropout and sampling");
        // output
        key("output_dir", Kind.PATH, "./out", "where the adapter, checkpoints and metrics go");
        key("save_steps", Kind.INT, 0, "checkpoint every N optimizer steps (0 = only at the end)");
        key("eval_steps", Kind.INT, 0, "validation loss every N optimizer steps (0 = only at the end)");
        key("logging_steps", Kind.INT, 1, "log metrics every N optimizer steps");
        key("save_total_limit", Kind.INT, 0, "keep only the newest N checkpoints (0 = keep all)");
        key("resume_from_checkpoint", Kind.STRING, null, "a checkpoint folder, or 'latest' in output_dir");
        key("merge_lora", Kind.BOOL, false, "after training, also write the merged model to output_dir/merged");
        // generation after training (ibex run)
        key("test_prompts", Kind.STRING_LIST, List.of(), "instructions answered with and without the adapter after training");
        key("max_new_tokens", Kind.INT, 64, "tokens per answer for test_prompts");
        key("temperature", Kind.NUMBER, 0.0, "sampling temperature for test_prompts (0 = greedy)");
    }

    public static Map<String, Key> all() {
        return java.util.Collections.unmodifiableMap(KEYS);
    }

    static Key get(String name) {
        return KEYS.get(name);
    }

    /** The known key closest to a misspelt one, or null. */
    static String closest(String name, Iterable<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(name.toLowerCase(), c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
