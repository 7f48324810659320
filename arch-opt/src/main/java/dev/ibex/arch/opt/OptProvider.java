package dev.ibex.arch.opt;

import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.nn.CausalLM;
import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.arch.ModelContext;
import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.AttentionBlock;
import dev.ibex.spi.nn.DecoderLayer;
import dev.ibex.spi.nn.DecoderModel;
import dev.ibex.spi.nn.LayerNorm;
import dev.ibex.spi.nn.LearnedPositions;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.Mlp;
import dev.ibex.spi.nn.SelfAttention;
import dev.ibex.spi.nn.SeparateQkv;
import dev.ibex.spi.nn.Var;
import dev.ibex.spi.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Registers OPT and wires it from the shared blocks. */
public final class OptProvider implements ArchitectureProvider {
    private static final float LAYER_NORM_EPS = 1e-5f; // fixed in transformers' OPT, not configurable
    private static final String P = "model.decoder.";

    @Override
    public String name() {
        return "opt";
    }

    @Override
    public String description() {
        return "Meta OPT (model_type opt)";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("opt");
    }

    @Override
    public Set<String> architectureClasses() {
        return Set.of("OPTForCausalLM");
    }

    @Override
    public ModelInfo describe(HfConfig config) {
        return OptConfig.parse(config).info();
    }

    @Override
    public List<String> defaultLoraTargets() {
        return List.of("q_proj", "v_proj");
    }

    @Override
    public List<String> linearModules(HfConfig config) {
        OptConfig c = OptConfig.parse(config);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = P + "layers." + i + ".";
            for (String m : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj",
                    "fc1", "fc2")) {
                names.add(p + m);
            }
        }
        if (c.embedDim() != c.hidden()) {
            names.add(P + "project_in");
            names.add(P + "project_out");
        }
        names.add("lm_head");
        return names;
    }

    @Override
    public String canonicalTensorName(String name) {
        // OPTModel checkpoints (and some converted ones) lack OPTForCausalLM's "model." prefix.
        return name.startsWith("decoder.") ? "model." + name : name;
    }

    @Override
    public CausalLM build(ModelContext ctx) {
        OptConfig c = OptConfig.parse(ctx.config());
        int hidden = c.hidden();
        Var embed = ctx.weight(P + "embed_tokens.weight", c.vocab(), c.embedDim());
        Var positionTable = ctx.weight(P + "embed_positions.weight", c.maxPositions() + 2L, hidden);
        Linear projectIn = null;
        Linear projectOut = null;
        if (c.embedDim() != hidden) {
            projectIn = ctx.linear(P + "project_in", c.embedDim(), hidden, false);
            projectOut = ctx.linear(P + "project_out", hidden, c.embedDim(), false);
        }
        float scaling = (float) Math.pow(c.headDim(), -0.5);
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = P + "layers." + i + ".";
            SeparateQkv qkv = new SeparateQkv(
                    ctx.linear(p + "self_attn.q_proj", hidden, hidden, c.bias()),
                    ctx.linear(p + "self_attn.k_proj", hidden, hidden, c.bias()),
                    ctx.linear(p + "self_attn.v_proj", hidden, hidden, c.bias()), scaling);
            // The queries are already scaled, so the scores are not scaled again.
            AttentionBlock attention = new AttentionBlock(qkv,
                    new SelfAttention(c.heads(), c.heads(), c.headDim(), 1f, null, 0),
                    ctx.linear(p + "self_attn.out_proj", hidden, hidden, c.bias()));
            Mlp mlp = new Mlp(ctx.linear(p + "fc1", hidden, c.ffn(), c.bias()),
                    ctx.linear(p + "fc2", c.ffn(), hidden, c.bias()), c.activation());
            layers.add(new DecoderLayer(norm(ctx, c, p + "self_attn_layer_norm"), attention,
                    norm(ctx, c, p + "final_layer_norm"), mlp,
                    c.preNorm() ? DecoderLayer.Wiring.PRE_NORM : DecoderLayer.Wiring.POST_NORM));
        }
        LayerNorm finalNorm = c.hasFinalNorm() ? norm(ctx, c, P + "final_layer_norm") : null;
        Linear head = c.tieEmbeddings() || !ctx.has("lm_head.weight") ? ctx.tiedLinear("lm_head", embed)
                : ctx.linear("lm_head", c.embedDim(), c.vocab(), false);
        return new DecoderModel(c.info(), embed, projectIn, new LearnedPositions(positionTable, 2), layers,
                finalNorm, projectOut, head);
    }

    /** A LayerNorm; without elementwise affine parameters it normalises only (weight 1, bias 0). */
    private static LayerNorm norm(ModelContext ctx, OptConfig c, String name) {
        if (c.affineNorms()) {
            return new LayerNorm(ctx.weight(name + ".weight", c.hidden()), ctx.weight(name + ".bias", c.hidden()),
                    LAYER_NORM_EPS);
        }
        Backend b = ctx.backend();
        float[] ones = new float[c.hidden()];
        Arrays.fill(ones, 1f);
        return new LayerNorm(Var.constant(b.fromFloats(Shape.of(c.hidden()), ones)), null, LAYER_NORM_EPS);
    }
}
