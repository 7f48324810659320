package dev.ibex.arch.falcon;

import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.arch.RopeScaling;
import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.RopeSpec;
import java.util.List;

/**
 * A Falcon config, including the legacy RW spellings ({@code n_head}, {@code n_layer}, {@code n_embed},
 * {@code n_head_kv}), normalised as transformers' {@code FalconConfig} does.
 */
record FalconConfig(int vocab, int hidden, int layers, int heads, int kvHeads, int headDim, float eps,
                    boolean newArchitecture, boolean multiQuery, boolean parallel, int lnInParallel, boolean bias,
                    int ffn, Activation activation, RopeSpec rope, boolean tieEmbeddings, int maxPositions, int bos,
                    List<Integer> eos, int pad) {

    static FalconConfig parse(HfConfig c) {
        int hidden = c.firstInt("hidden_size", "n_embed").orElse(4544);
        int heads = c.firstInt("num_attention_heads", "n_head").orElse(71);
        int layers = c.firstInt("num_hidden_layers", "n_layer").orElse(32);
        boolean legacy = c.modelType().equals("RefinedWeb") || c.modelType().equals("RefinedWebModel");
        boolean newArch = legacy ? c.has("n_head_kv") : c.bool("new_decoder_architecture", false);
        if (c.bool("alibi", false)) {
            throw c.error("ALiBi Falcon models (alibi: true, e.g. Falcon-RW) are not supported yet; Ibex runs the rotary "
                    + "Falcon layouts (7B, 40B, 180B)");
        }
        if (hidden <= 0 || heads <= 0 || hidden % heads != 0) {
            throw c.error("hidden_size " + hidden + " must be a positive multiple of num_attention_heads " + heads);
        }
        int headDim = hidden / heads;
        boolean multiQuery = c.bool("multi_query", true);
        int kvHeads;
        if (newArch) {
            kvHeads = c.firstInt("num_kv_heads", "n_head_kv").orElse(heads);
        } else {
            kvHeads = multiQuery ? 1 : heads;
        }
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw c.error("num_attention_heads " + heads + " is not a multiple of num_kv_heads " + kvHeads);
        }
        String act = c.string("activation", "gelu");
        Activation activation = Activation.fromHf(act)
                .orElseThrow(() -> c.error("activation \"" + act + "\" is not supported"));
        boolean parallel = c.bool("parallel_attn", true);
        int lnInParallel = c.has("num_ln_in_parallel_attn") ? c.requireInt("num_ln_in_parallel_attn") : newArch ? 2 : 1;
        RopeSpec rope = RopeScaling.fromConfig(c, headDim, c.doubleValue("rope_theta", 10000.0));
        return new FalconConfig(c.intValue("vocab_size", 65024), hidden, layers, heads, kvHeads, headDim,
                (float) c.doubleValue("layer_norm_epsilon", 1e-5), newArch, multiQuery, parallel, lnInParallel,
                c.bool("bias", false), c.has("ffn_hidden_size") ? c.requireInt("ffn_hidden_size") : 4 * hidden,
                activation, rope, c.bool("tie_word_embeddings", true), c.intValue("max_position_embeddings", 2048),
                c.values().containsKey("bos_token_id") ? first(c, "bos_token_id") : 11,
                c.values().containsKey("eos_token_id") ? c.intList("eos_token_id") : List.of(11),
                first(c, "pad_token_id"));
    }

    private static int first(HfConfig c, String key) {
        return c.has(key) ? c.intList(key).getFirst() : -1;
    }

    /** Rows of the fused {@code query_key_value} weight. */
    int fusedRows() {
        if (newArchitecture) {
            return (heads + 2 * kvHeads) * headDim;
        }
        return multiQuery ? hidden + 2 * headDim : 3 * hidden;
    }

    ModelInfo info() {
        return new ModelInfo("falcon", vocab, hidden, layers, heads, kvHeads, headDim, maxPositions, bos, eos, pad);
    }
}
