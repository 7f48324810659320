package dev.ibex.spi.nn;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every differentiable {@link Graph} op except {@code linear} (see {@code TransformerBlockGradientTest}), checked
 * end to end: small computations ending in the cross-entropy loss, whose parameters' gradients from
 * {@link Graph#backward} must equal finite differences of the loss. Frozen inputs must receive no gradient.
 */
class GraphOpsGradientTest {
    private final GradCheck check = new GradCheck();

    @ParameterizedTest
    @EnumSource(Activation.class)
    void addMulScaleAndActivations(Activation f) {
        Shape shape = Shape.of(3, 10);
        Var x = check.param("x", shape, 1);
        Var y = check.param("y", shape, 1);
        Var c = Var.constant(check.tensor(shape, 2));
        Tensor labels = check.labels(3, 10);
        GradCheck.Model model = g -> g.mul(g.activation(f, g.add(g.mul(x, y), g.scale(x, 0.7f))), c);
        check.assertGradients(f.toString(), model, labels, List.of(x, y), 1e-3, 2e-3);
        Graph g = Graph.training(check.backend, 1);
        g.backward(g.crossEntropy(model.logits(g), labels, GradCheck.IGNORE, check.counted(labels)));
        assertNull(c.grad(), "a constant gets no gradient");
    }

    @Test
    void swigluAndDropout() {
        Shape shape = Shape.of(4, 9);
        Var gate = check.param("gate", shape, 1.5);
        Var up = check.param("up", shape, 1);
        Tensor labels = check.labels(4, 9);
        GradCheck.Model model = g -> g.dropout(g.swiglu(gate, up), 0.3f);
        check.assertGradients("swiglu → dropout", model, labels, List.of(gate, up), 1e-3, 2e-3);
    }

    @Test
    void columnsAndReshape() {
        Var x = check.param("x", Shape.of(4, 12), 1);
        Tensor labels = check.labels(6, 4);
        GradCheck.Model model = g -> {
            Var a = g.columns(x, 0, 6);
            Var b = g.columns(x, 5, 6); // overlaps a at column 5: both gradients must arrive
            return g.reshape(g.add(a, g.mul(b, b)), Shape.of(6, 4));
        };
        check.assertGradients("columns → reshape", model, labels, List.of(x), 1e-2, 2e-3);
    }

    @Test
    void rmsNormAndLayerNorm() {
        Shape shape = Shape.of(3, 8);
        Var x = check.param("x", shape, 1.5);
        Var w = check.param("rms weight", Shape.of(8), 1);
        Var lw = check.param("ln weight", Shape.of(8), 1);
        Var lb = check.param("ln bias", Shape.of(8), 1);
        Tensor labels = check.labels(3, 8);
        GradCheck.Model model = g -> g.add(g.rmsNorm(x, w, 1e-5f), g.layerNorm(g.scale(x, 2f), lw, lb, 1e-5f));
        check.assertGradients("rmsNorm + layerNorm", model, labels, List.of(x, w, lw, lb), 1e-2, 2e-3);
    }

    @Test
    void normsWithFrozenBf16Weights() {
        Shape shape = Shape.of(3, 8);
        Var x = check.param("x", shape, 1.5);
        float[] values = check.normal(8, 1);
        HostTensor host = HostTensor.view(DType.BF16, Shape.of(8), Arena.ofAuto().allocate(16));
        for (int i = 0; i < 8; i++) {
            host.setFloat(i, values[i]);
        }
        Var w = Var.frozen("frozen bf16 weight", check.backend.upload(host));
        Tensor labels = check.labels(3, 8);
        GradCheck.Model model = g -> g.add(g.rmsNorm(x, w, 1e-5f), g.layerNorm(x, w, null, 1e-5f));
        check.assertGradients("norms with a frozen BF16 weight", model, labels, List.of(x), 1e-2, 2e-3);
    }

    @Test
    void ropeAndGroupedAttentionWithWindow() {
        int batch = 2;
        int seq = 5;
        int heads = 4;
        int kvHeads = 2;
        int hd = 4;
        Var q = check.param("q", Shape.of(batch * seq, heads * hd), 1);
        Var k = check.param("k", Shape.of(batch * seq, kvHeads * hd), 1);
        Var v = check.param("v", Shape.of(batch * seq, kvHeads * hd), 1);
        Tensor pos = check.backend.fromInts(Shape.of(batch * seq), new int[] {0, 1, 2, 3, 4, 0, 1, 2, 3, 4});
        RopeSpec rope = RopeSpec.standard(hd, hd, 10_000, 1f);
        AttentionSpec spec = new AttentionSpec(batch, seq, seq, heads, kvHeads, hd, 0.5f, 3);
        Tensor labels = check.labels(batch * seq, heads * hd);
        GradCheck.Model model = g -> g.attention(g.rope(q, pos, rope), g.rope(k, pos, rope), v, null, 0, spec);
        check.assertGradients("rope → GQA attention, window 3", model, labels, List.of(q, k, v), 1e-2, 2e-3);
    }

    @Test
    void attentionWithPaddingAndRowsThatSeeNothing() {
        int batch = 2;
        int seq = 4;
        int hd = 4;
        Var q = check.param("q", Shape.of(batch * seq, 2 * hd), 1);
        Var k = check.param("k", Shape.of(batch * seq, hd), 1);
        Var v = check.param("v", Shape.of(batch * seq, hd), 1);
        // Sequence 1 is left-padded by two: its queries 0 and 1 see no key at all.
        Tensor mask = check.backend.fromInts(Shape.of(batch, seq), new int[] {1, 1, 1, 1, 0, 0, 1, 1});
        AttentionSpec spec = new AttentionSpec(batch, seq, seq, 2, 1, hd, 0.5f, 0);
        Tensor labels = check.labels(batch * seq, 2 * hd);
        GradCheck.Model model = g -> g.attention(q, k, v, mask, 0, spec);
        check.assertGradients("MQA attention with left padding", model, labels, List.of(q, k, v), 1e-2, 2e-3);
    }

    @Test
    void selfAttentionBlockWithRope() {
        int batch = 2;
        int seq = 4;
        SelfAttention attn = new SelfAttention(2, 1, 4, 0.5f, RopeSpec.standard(4, 4, 10_000, 1f), 0);
        Var q = check.param("q", Shape.of(batch * seq, 8), 1);
        Var k = check.param("k", Shape.of(batch * seq, 4), 1);
        Var v = check.param("v", Shape.of(batch * seq, 4), 1);
        Tensor pos = check.backend.fromInts(Shape.of(batch * seq), new int[] {0, 1, 2, 3, 0, 1, 2, 3});
        Tensor ids = check.backend.fromInts(Shape.of(batch * seq), new int[8]);
        Batch in = new Batch(batch, seq, ids, pos, null, null, null, null, false);
        Tensor labels = check.labels(batch * seq, 8);
        GradCheck.Model model = g -> attn.forward(g, q, k, v, in, 0);
        check.assertGradients("SelfAttention", model, labels, List.of(q, k, v), 1e-2, 2e-3);
    }

    @Test
    void embeddingWithRepeatedIds() {
        Var table = check.param("table", Shape.of(7, 5), 1);
        Tensor ids = check.backend.fromInts(Shape.of(9), new int[] {3, 1, 3, 6, 0, 3, 1, 2, 5});
        Tensor labels = check.labels(9, 5);
        GradCheck.Model model = g -> g.embedding(ids, table);
        check.assertGradients("embedding", model, labels, List.of(table), 1e-2, 2e-3);
    }
}
