package dev.ibex.spi.nn;

import java.util.Objects;

/**
 * One decoder layer: attention and feed-forward with their norms, wired by the residual pattern of its family.
 *
 * @param attentionNorm norm before attention (after it for {@link Wiring#POST_NORM})
 * @param attention     the attention block
 * @param mlpNorm       norm before the feed-forward; for {@link Wiring#PARALLEL} null means the attention norm
 *                      output is shared (Falcon-7B)
 * @param mlp           the feed-forward
 * @param wiring        how residuals and norms connect
 */
public record DecoderLayer(Norm attentionNorm, AttentionBlock attention, Norm mlpNorm, FeedForward mlp,
                           Wiring wiring) {

    /** The residual patterns of the supported families. */
    public enum Wiring {
        /** {@code h = x + attn(n1(x)); out = h + mlp(n2(h))}: LLaMA, Mistral, OPT, Falcon-RW. */
        PRE_NORM,
        /** {@code h = n1(x + attn(x)); out = n2(h + mlp(h))}: OPT-350m ({@code do_layer_norm_before: false}). */
        POST_NORM,
        /** {@code out = x + (mlp(n2(x)) + attn(n1(x)))}, n2 = n1 when absent: Falcon-7B/40B. */
        PARALLEL
    }

    public DecoderLayer {
        Objects.requireNonNull(attentionNorm, "attentionNorm");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(mlp, "mlp");
        Objects.requireNonNull(wiring, "wiring");
        if (wiring != Wiring.PARALLEL) {
            Objects.requireNonNull(mlpNorm, "mlpNorm");
        }
    }

    public Var forward(Graph g, Var x, Batch in, int layer) {
        return switch (wiring) {
            case PRE_NORM -> {
                Var h = g.add(x, attention.forward(g, attentionNorm.forward(g, x), in, layer));
                yield g.add(h, mlp.forward(g, mlpNorm.forward(g, h)));
            }
            case POST_NORM -> {
                Var h = attentionNorm.forward(g, g.add(x, attention.forward(g, x, in, layer)));
                yield mlpNorm.forward(g, g.add(h, mlp.forward(g, h)));
            }
            case PARALLEL -> {
                Var n1 = attentionNorm.forward(g, x);
                Var n2 = mlpNorm == null ? n1 : mlpNorm.forward(g, x);
                Var attn = attention.forward(g, n1, in, layer);
                yield g.add(x, g.add(mlp.forward(g, n2), attn));
            }
        };
    }
}
