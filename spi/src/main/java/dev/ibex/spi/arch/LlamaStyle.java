package dev.ibex.spi.arch;

import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.nn.AttentionBlock;
import dev.ibex.spi.nn.DecoderLayer;
import dev.ibex.spi.nn.DecoderModel;
import dev.ibex.spi.nn.GatedMlp;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.RmsNorm;
import dev.ibex.spi.nn.SelfAttention;
import dev.ibex.spi.nn.SeparateQkv;
import dev.ibex.spi.nn.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * The LLaMA family as Hugging Face lays it out ({@code LlamaForCausalLM}, {@code MistralForCausalLM}): RMSNorm,
 * rotary attention with grouped KV heads, SwiGLU, optional sliding window, tensor names
 * {@code model.layers.N.self_attn.q_proj}, ... Parsed once here so every plugin of the family wires the same
 * shared blocks.
 *
 * @param architecture   provider name for messages ("llama", "mistral")
 * @param vocab          vocab_size
 * @param hidden         hidden_size
 * @param intermediate   intermediate_size
 * @param layers         num_hidden_layers
 * @param heads          num_attention_heads
 * @param kvHeads        num_key_value_heads
 * @param headDim        head_dim (hidden / heads unless given)
 * @param maxPositions   max_position_embeddings
 * @param rmsEps         rms_norm_eps
 * @param rope           rotary embedding (theta and scaling applied)
 * @param attentionBias  attention_bias: q/k/v/o have biases
 * @param mlpBias        mlp_bias: gate/up/down have biases
 * @param tieEmbeddings  tie_word_embeddings: the head is the embedding
 * @param window         sliding_window, 0 for none
 * @param bos            bos_token_id, -1 if none
 * @param eos            eos_token_id(s)
 * @param pad            pad_token_id, -1 if none
 */
public record LlamaStyle(String architecture, int vocab, int hidden, int intermediate, int layers, int heads,
                         int kvHeads, int headDim, int maxPositions, float rmsEps, RopeSpec rope,
                         boolean attentionBias, boolean mlpBias, boolean tieEmbeddings, int window, int bos,
                         List<Integer> eos, int pad) {

    /** transformers' defaults for one model type. */
    public record Defaults(int vocab, int hidden, int intermediate, int layers, int heads, Integer kvHeads,
                           int maxPositions, double rmsEps, Integer window) {
        public static final Defaults LLAMA = new Defaults(32000, 4096, 11008, 32, 32, null, 2048, 1e-6, null);
        public static final Defaults MISTRAL = new Defaults(32000, 4096, 14336, 32, 32, 8, 4096 * 32, 1e-6, 4096);
    }

    /** Reads and validates a config of the family. */
    public static LlamaStyle parse(HfConfig c, String architecture, Defaults d) {
        int hidden = c.intValue("hidden_size", d.hidden());
        int heads = c.intValue("num_attention_heads", d.heads());
        int kvHeads = c.has("num_key_value_heads") ? c.requireInt("num_key_value_heads")
                : d.kvHeads() != null ? d.kvHeads() : heads;
        positive(c, "hidden_size", hidden);
        positive(c, "num_attention_heads", heads);
        positive(c, "num_key_value_heads", kvHeads);
        if (!c.has("head_dim") && hidden % heads != 0) {
            throw c.error("hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        int headDim = c.intValue("head_dim", hidden / heads);
        if (heads % kvHeads != 0) {
            throw c.error("num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw c.error("head_dim " + headDim + " must be even for rotary embeddings");
        }
        String act = c.string("hidden_act", "silu");
        if (Activation.fromHf(act).orElse(null) != Activation.SILU) {
            throw c.error("hidden_act \"" + act + "\" is not supported for " + architecture + " (only silu)");
        }
        Integer windowDefault = d.window();
        int window = c.has("sliding_window") ? c.requireInt("sliding_window")
                : c.values().containsKey("sliding_window") || windowDefault == null ? 0 : windowDefault;
        if (window < 0) {
            throw c.error("sliding_window must be positive or null, got " + window);
        }
        double theta = c.doubleValue("rope_theta", 10000.0);
        int layers = c.intValue("num_hidden_layers", d.layers());
        positive(c, "num_hidden_layers", layers);
        int vocab = c.intValue("vocab_size", d.vocab());
        positive(c, "vocab_size", vocab);
        List<Integer> eos = c.values().containsKey("eos_token_id") ? c.intList("eos_token_id") : List.of(2);
        return new LlamaStyle(architecture, vocab, hidden, c.intValue("intermediate_size", d.intermediate()),
                layers, heads, kvHeads, headDim, c.intValue("max_position_embeddings", d.maxPositions()),
                (float) c.doubleValue("rms_norm_eps", d.rmsEps()), RopeScaling.fromConfig(c, headDim, theta),
                c.bool("attention_bias", false), c.bool("mlp_bias", false), c.bool("tie_word_embeddings", false),
                window, c.values().containsKey("bos_token_id") ? intOr(c, "bos_token_id") : 1, eos,
                intOr(c, "pad_token_id"));
    }

    private static int intOr(HfConfig c, String key) {
        return c.has(key) ? c.intList(key).getFirst() : -1;
    }

    private static void positive(HfConfig c, String key, int value) {
        if (value <= 0) {
            throw c.error(key + " must be positive, got " + value);
        }
    }

    public ModelInfo info() {
        return new ModelInfo(architecture, vocab, hidden, layers, heads, kvHeads, headDim, maxPositions, bos, eos, pad);
    }

    /** Every linear module, the head last. */
    public List<String> linearModules() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            for (String m : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")) {
                names.add(p + m);
            }
        }
        names.add("lm_head");
        return names;
    }

    /** Wires the shared blocks over the weights in {@code ctx}. */
    public DecoderModel build(ModelContext ctx) {
        Var embed = ctx.weight("model.embed_tokens.weight", vocab, hidden);
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        List<DecoderLayer> decoder = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            SeparateQkv qkv = new SeparateQkv(
                    ctx.linear(p + "self_attn.q_proj", hidden, qDim, attentionBias),
                    ctx.linear(p + "self_attn.k_proj", hidden, kvDim, attentionBias),
                    ctx.linear(p + "self_attn.v_proj", hidden, kvDim, attentionBias), 1f);
            SelfAttention attention = new SelfAttention(heads, kvHeads, headDim, (float) (1 / Math.sqrt(headDim)),
                    rope, window);
            AttentionBlock block = new AttentionBlock(qkv, attention,
                    ctx.linear(p + "self_attn.o_proj", qDim, hidden, attentionBias));
            GatedMlp mlp = new GatedMlp(
                    ctx.linear(p + "mlp.gate_proj", hidden, intermediate, mlpBias),
                    ctx.linear(p + "mlp.up_proj", hidden, intermediate, mlpBias),
                    ctx.linear(p + "mlp.down_proj", intermediate, hidden, mlpBias));
            decoder.add(new DecoderLayer(
                    new RmsNorm(ctx.weight(p + "input_layernorm.weight", hidden), rmsEps), block,
                    new RmsNorm(ctx.weight(p + "post_attention_layernorm.weight", hidden), rmsEps), mlp,
                    DecoderLayer.Wiring.PRE_NORM));
        }
        RmsNorm norm = new RmsNorm(ctx.weight("model.norm.weight", hidden), rmsEps);
        Linear head = tieEmbeddings && !ctx.has("lm_head.weight") ? ctx.tiedLinear("lm_head", embed)
                : ctx.linear("lm_head", hidden, vocab, false);
        return new DecoderModel(info(), embed, null, null, decoder, norm, null, head);
    }
}
