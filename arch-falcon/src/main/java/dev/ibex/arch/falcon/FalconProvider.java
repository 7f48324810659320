package dev.ibex.arch.falcon;

import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.nn.CausalLM;
import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.arch.ModelContext;
import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.nn.AttentionBlock;
import dev.ibex.spi.nn.DecoderLayer;
import dev.ibex.spi.nn.DecoderModel;
import dev.ibex.spi.nn.LayerNorm;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.Mlp;
import dev.ibex.spi.nn.SelfAttention;
import dev.ibex.spi.nn.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Registers Falcon and wires it from the shared blocks. */
public final class FalconProvider implements ArchitectureProvider {

    @Override
    public String name() {
        return "falcon";
    }

    @Override
    public String description() {
        return "TII Falcon 7B/40B/180B layouts (model_type falcon, RefinedWeb, RefinedWebModel)";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("falcon", "RefinedWeb", "RefinedWebModel");
    }

    @Override
    public Set<String> architectureClasses() {
        return Set.of("FalconForCausalLM", "RWForCausalLM");
    }

    @Override
    public ModelInfo describe(HfConfig config) {
        return FalconConfig.parse(config).info();
    }

    @Override
    public List<String> defaultLoraTargets() {
        return List.of("query_key_value");
    }

    @Override
    public List<String> linearModules(HfConfig config) {
        FalconConfig c = FalconConfig.parse(config);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "transformer.h." + i + ".";
            for (String m : List.of("self_attention.query_key_value", "self_attention.dense", "mlp.dense_h_to_4h",
                    "mlp.dense_4h_to_h")) {
                names.add(p + m);
            }
        }
        names.add("lm_head");
        return names;
    }

    @Override
    public CausalLM build(ModelContext ctx) {
        FalconConfig c = FalconConfig.parse(ctx.config());
        int hidden = c.hidden();
        Var embed = ctx.weight("transformer.word_embeddings.weight", c.vocab(), hidden);
        List<DecoderLayer> layers = new ArrayList<>();
        float scale = (float) (1 / Math.sqrt(c.headDim()));
        for (int i = 0; i < c.layers(); i++) {
            String p = "transformer.h." + i + ".";
            Linear qkv = ctx.linear(p + "self_attention.query_key_value", hidden, c.fusedRows(), c.bias());
            AttentionBlock attention = new AttentionBlock(FusedQkv.of(qkv, c),
                    new SelfAttention(c.heads(), c.kvHeads(), c.headDim(), scale, c.rope(), 0),
                    ctx.linear(p + "self_attention.dense", c.heads() * c.headDim(), hidden, c.bias()));
            Mlp mlp = new Mlp(ctx.linear(p + "mlp.dense_h_to_4h", hidden, c.ffn(), c.bias()),
                    ctx.linear(p + "mlp.dense_4h_to_h", c.ffn(), hidden, c.bias()), c.activation());
            layers.add(layer(ctx, c, p, attention, mlp));
        }
        LayerNorm lnF = norm(ctx, "transformer.ln_f", c);
        Linear head = c.tieEmbeddings() && !ctx.has("lm_head.weight") ? ctx.tiedLinear("lm_head", embed)
                : ctx.linear("lm_head", hidden, c.vocab(), false);
        return new DecoderModel(c.info(), embed, null, null, layers, lnF, null, head);
    }

    /** The residual wiring of each layout, as {@code FalconDecoderLayer.forward}. */
    private static DecoderLayer layer(ModelContext ctx, FalconConfig c, String p, AttentionBlock attention, Mlp mlp) {
        if (c.newArchitecture() && c.lnInParallel() == 2) {
            return new DecoderLayer(norm(ctx, p + "ln_attn", c), attention, norm(ctx, p + "ln_mlp", c), mlp,
                    DecoderLayer.Wiring.PARALLEL);
        }
        LayerNorm input = norm(ctx, p + "input_layernorm", c);
        if (c.newArchitecture() || c.parallel()) {
            return new DecoderLayer(input, attention, null, mlp, DecoderLayer.Wiring.PARALLEL);
        }
        return new DecoderLayer(input, attention, norm(ctx, p + "post_attention_layernorm", c), mlp,
                DecoderLayer.Wiring.PRE_NORM);
    }

    private static LayerNorm norm(ModelContext ctx, String name, FalconConfig c) {
        return new LayerNorm(ctx.weight(name + ".weight", c.hidden()), ctx.weight(name + ".bias", c.hidden()), c.eps());
    }
}
