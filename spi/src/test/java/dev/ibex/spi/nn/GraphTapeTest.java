package dev.ibex.spi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The tape itself: gradient checkpointing gives exactly the plain graph's gradients (dropout masks included),
 * gradients accumulate across backward passes until cleared, the seed scales them, and an inference graph
 * records nothing.
 */
class GraphTapeTest {
    private final GradCheck check = new GradCheck();
    private final int rows = 6;
    private final int n = 8;
    private final Var w = check.param("norm weight", Shape.of(n), 1);
    private final Var x = check.param("x", Shape.of(rows, n), 1);
    private final Tensor labels = check.labels(rows, n / 2);

    /** A block with a norm, a gated product, dropout and attention: everything checkpointing must replay. */
    private final BiFunction<Graph, Var, Var> block = (g, in) -> {
        Var h = g.rmsNorm(in, w, 1e-5f);
        Var gated = g.dropout(g.swiglu(g.columns(h, 0, n / 2), g.columns(h, n / 2, n / 2)), 0.25f);
        AttentionSpec spec = new AttentionSpec(2, rows / 2, rows / 2, 1, 1, n / 2, 0.5f, 0);
        return g.add(gated, g.attention(gated, gated, gated, null, 0, spec));
    };

    @Test
    void checkpointingGivesIdenticalGradients() {
        GradCheck.Model plain = g -> g.scale(block.apply(g, x), 1.5f);
        GradCheck.Model checkpointed = g -> g.scale(g.checkpoint(block, x), 1.5f);
        Map<Var, float[]> expected = check.analytic(plain, labels, List.of(x, w));
        Map<Var, float[]> actual = check.analytic(checkpointed, labels, List.of(x, w));
        assertArrayEquals(expected.get(x), actual.get(x), "input gradient through the checkpoint");
        assertArrayEquals(expected.get(w), actual.get(w), "gradient of a weight inside the checkpoint");
        check.assertGradients("checkpointed block", checkpointed, labels, List.of(x, w), 1e-2, 2e-3);
    }

    @Test
    void dropoutAfterACheckpointKeepsItsMask() {
        // The checkpoint replays its dropout calls with the counter it started from, and the graph's counter
        // moves past them, so a later dropout draws the plain graph's mask.
        GradCheck.Model plain = g -> g.dropout(block.apply(g, x), 0.5f);
        GradCheck.Model checkpointed = g -> g.dropout(g.checkpoint(block, x), 0.5f);
        assertArrayEquals(check.analytic(plain, labels, List.of(x)).get(x),
                check.analytic(checkpointed, labels, List.of(x)).get(x));
    }

    @Test
    void gradientsAccumulateAcrossBackwardPasses() {
        GradCheck.Model model = g -> block.apply(g, x);
        float[] once = check.analytic(model, labels, List.of(x)).get(x);
        Tensor buffer = check.zeros(x.shape());
        x.attachGrad(buffer);
        for (int pass = 0; pass < 2; pass++) {
            Graph g = Graph.training(check.backend, GradCheck.SEED);
            g.backward(g.crossEntropy(model.logits(g), labels, GradCheck.IGNORE, check.counted(labels)));
            assertSame(buffer, x.grad(), "the attached buffer collects the gradient");
        }
        float[] twice = check.backend.toFloats(x.grad());
        float[] expected = new float[once.length];
        for (int i = 0; i < once.length; i++) {
            expected[i] = once[i] + once[i];
        }
        assertArrayEquals(expected, twice);
        x.clearGrad();
        w.clearGrad();
    }

    @Test
    void theSeedScalesTheGradient() {
        GradCheck.Model model = g -> block.apply(g, x);
        float[] full = check.analytic(model, labels, List.of(x)).get(x);
        Graph g = Graph.training(check.backend, GradCheck.SEED);
        g.backward(g.crossEntropy(model.logits(g), labels, GradCheck.IGNORE, check.counted(labels)), 0.25f);
        float[] quarter = check.backend.toFloats(x.grad());
        x.clearGrad();
        w.clearGrad();
        float[] expected = new float[full.length];
        for (int i = 0; i < full.length; i++) {
            expected[i] = full[i] * 0.25f; // a power of two: exact through every linear backward step
        }
        assertArrayEquals(expected, quarter);
    }

    @Test
    void inferenceRecordsNothing() {
        Graph g = Graph.inference(check.backend);
        Var out = block.apply(g, x);
        assertFalse(out.requiresGrad(), "an inference graph does not record, even over parameters");
        Var loss = g.crossEntropy(out, labels, GradCheck.IGNORE, check.counted(labels));
        assertThrows(IllegalStateException.class, () -> g.backward(loss));
        // Dropout is the identity outside training.
        Var same = g.dropout(x, 0.5f);
        assertSame(x, same);
        assertNotNull(out.value());
    }
}
