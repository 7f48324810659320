package dev.ibex.arch.opt;

import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.backend.Activation;
import java.util.List;

/** An OPT {@code config.json}, with transformers' defaults. */
record OptConfig(int vocab, int hidden, int layers, int ffn, int heads, int maxPositions, boolean preNorm,
                 boolean removeFinalNorm, int embedDim, Activation activation, boolean bias, boolean affineNorms,
                 boolean tieEmbeddings, int bos, List<Integer> eos, int pad) {

    static OptConfig parse(HfConfig c) {
        int hidden = c.intValue("hidden_size", 768);
        int heads = c.intValue("num_attention_heads", 12);
        if (hidden <= 0 || heads <= 0 || hidden % heads != 0) {
            throw c.error("hidden_size " + hidden + " must be a positive multiple of num_attention_heads " + heads);
        }
        String act = c.string("activation_function", "relu");
        Activation activation = Activation.fromHf(act)
                .orElseThrow(() -> c.error("activation_function \"" + act + "\" is not supported"));
        int layers = c.intValue("num_hidden_layers", 12);
        if (layers <= 0) {
            throw c.error("num_hidden_layers must be positive, got " + layers);
        }
        return new OptConfig(c.intValue("vocab_size", 50272), hidden, layers, c.intValue("ffn_dim", 3072), heads,
                c.intValue("max_position_embeddings", 2048), c.bool("do_layer_norm_before", true),
                c.bool("_remove_final_layer_norm", false),
                c.has("word_embed_proj_dim") ? c.requireInt("word_embed_proj_dim") : hidden, activation,
                c.bool("enable_bias", true), c.bool("layer_norm_elementwise_affine", true),
                c.bool("tie_word_embeddings", true),
                c.values().containsKey("bos_token_id") ? firstOr(c, "bos_token_id") : 2,
                c.values().containsKey("eos_token_id") ? c.intList("eos_token_id") : List.of(2),
                c.values().containsKey("pad_token_id") ? firstOr(c, "pad_token_id") : 1);
    }

    private static int firstOr(HfConfig c, String key) {
        return c.has(key) ? c.intList(key).getFirst() : -1;
    }

    int headDim() {
        return hidden / heads;
    }

    boolean hasFinalNorm() {
        return preNorm && !removeFinalNorm;
    }

    ModelInfo info() {
        return new ModelInfo("opt", vocab, hidden, layers, heads, heads, headDim(), maxPositions, bos, eos, pad);
    }
}
