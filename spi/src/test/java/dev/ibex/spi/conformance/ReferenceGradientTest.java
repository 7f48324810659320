package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.FiniteDifferences.assertGradient;
import static dev.ibex.spi.conformance.FiniteDifferences.dot;
import static dev.ibex.spi.conformance.FiniteDifferences.gradient;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.conformance.AttentionConformance.Case;
import dev.ibex.spi.conformance.AttentionConformance.Mask;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the kit's reference backward kernels: each one's result for {@code dy = c} must equal the central finite
 * differences of {@code Σ c·forward(x)} computed with the reference forward kernel. Small shapes, the difference
 * quotients in double; tolerances are relative to the gradient's largest element.
 */
class ReferenceGradientTest {
    private final ReferenceBackend r = new ReferenceBackend();
    private SplittableRandom random;

    @BeforeEach
    void reseed() {
        random = new SplittableRandom(20260101);
    }

    private float[] normal(int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (sigma * random.nextGaussian());
        }
        return v;
    }

    private double[] weights(int n) {
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = (float) random.nextGaussian(); // F32-representable: the same values feed the backward kernel
        }
        return c;
    }

    private Tensor f32(Shape shape, float[] v) {
        return r.fromFloats(shape, v);
    }

    private Tensor f32(Shape shape, double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return r.fromFloats(shape, f);
    }

    private Tensor zeros(Shape shape) {
        return r.allocate(DType.F32, shape);
    }

    /** Σ c·y where y = forward(x) is an F32 tensor of {@code outShape}. */
    private double loss(double[] c, Shape outShape, Function<Tensor, Tensor> forward, Shape inShape, float[] x) {
        return dot(c, r.toFloats(forward.apply(f32(inShape, x))));
    }

    // ---------------------------------------------------------------- pointwise

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activation(Activation f) {
        Shape shape = Shape.of(3, 17);
        float[] x = normal(51, 2);
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i]) < 0.05f) {
                x[i] += 0.1f; // away from ReLU's kink, where the two-sided difference is meaningless
            }
        }
        double[] c = weights(51);
        Function<Tensor, Tensor> fwd = in -> {
            Tensor out = zeros(shape);
            r.activation(f, in, out);
            return out;
        };
        double[] numeric = gradient(x, v -> loss(c, shape, fwd, shape, v), 1e-3);
        Tensor dx = zeros(shape);
        r.activationBackward(f, f32(shape, x), f32(shape, c), dx);
        assertGradient(r.toFloats(dx), numeric, 1e-4, f + " backward");
    }

    @Test
    void swiglu() {
        Shape shape = Shape.of(2, 13);
        float[] gate = normal(26, 2);
        float[] up = normal(26, 1);
        double[] c = weights(26);
        Tensor dgate = zeros(shape);
        Tensor dup = zeros(shape);
        r.swigluBackward(f32(shape, gate), f32(shape, up), f32(shape, c), dgate, dup);
        double[] numGate = gradient(gate, g -> {
            Tensor out = zeros(shape);
            r.swiglu(f32(shape, g), f32(shape, up), out);
            return dot(c, r.toFloats(out));
        }, 1e-3);
        double[] numUp = gradient(up, u -> {
            Tensor out = zeros(shape);
            r.swiglu(f32(shape, gate), f32(shape, u), out);
            return dot(c, r.toFloats(out));
        }, 1e-3);
        assertGradient(r.toFloats(dgate), numGate, 1e-4, "swiglu dgate");
        assertGradient(r.toFloats(dup), numUp, 1e-4, "swiglu dup");
    }

    @Test
    void dropoutIsItsOwnBackward() {
        Shape shape = Shape.of(4, 9);
        float[] x = normal(36, 1);
        double[] c = weights(36);
        Function<Tensor, Tensor> fwd = in -> {
            Tensor out = zeros(shape);
            r.dropout(in, 0.4f, 77, out);
            return out;
        };
        double[] numeric = gradient(x, v -> loss(c, shape, fwd, shape, v), 1e-2);
        assertGradient(r.toFloats(fwd.apply(f32(shape, c))), numeric, 1e-4, "dropout backward");
    }

    // ---------------------------------------------------------------- norms

    @Test
    void rmsNorm() {
        int rows = 3;
        int n = 11;
        Shape shape = Shape.of(rows, n);
        float[] x = normal(rows * n, 1.5f);
        float[] w = normal(n, 1);
        double[] c = weights(rows * n);
        Tensor rstd = zeros(Shape.of(rows));
        r.rmsNorm(f32(shape, x), f32(Shape.of(n), w), 1e-5f, zeros(shape), rstd);
        Tensor dx = zeros(shape);
        Tensor dw = zeros(Shape.of(n));
        r.rmsNormBackward(f32(shape, c), f32(shape, x), f32(Shape.of(n), w), rstd, dx, dw);
        double[] numX = gradient(x, v -> {
            Tensor y = zeros(shape);
            r.rmsNorm(f32(shape, v), f32(Shape.of(n), w), 1e-5f, y, null);
            return dot(c, r.toFloats(y));
        }, 1e-2);
        double[] numW = gradient(w, v -> {
            Tensor y = zeros(shape);
            r.rmsNorm(f32(shape, x), f32(Shape.of(n), v), 1e-5f, y, null);
            return dot(c, r.toFloats(y));
        }, 1e-2);
        assertGradient(r.toFloats(dx), numX, 1e-3, "rmsNorm dx");
        assertGradient(r.toFloats(dw), numW, 1e-3, "rmsNorm dweight");
    }

    @Test
    void layerNorm() {
        int rows = 3;
        int n = 9;
        Shape shape = Shape.of(rows, n);
        Shape vec = Shape.of(n);
        float[] x = normal(rows * n, 1.5f);
        float[] w = normal(n, 1);
        float[] b = normal(n, 1);
        double[] c = weights(rows * n);
        Tensor mean = zeros(Shape.of(rows));
        Tensor rstd = zeros(Shape.of(rows));
        r.layerNorm(f32(shape, x), f32(vec, w), f32(vec, b), 1e-5f, zeros(shape), mean, rstd);
        Tensor dx = zeros(shape);
        Tensor dw = zeros(vec);
        Tensor db = zeros(vec);
        r.layerNormBackward(f32(shape, c), f32(shape, x), f32(vec, w), mean, rstd, dx, dw, db);
        double[] numX = gradient(x, v -> {
            Tensor y = zeros(shape);
            r.layerNorm(f32(shape, v), f32(vec, w), f32(vec, b), 1e-5f, y, null, null);
            return dot(c, r.toFloats(y));
        }, 1e-2);
        double[] numW = gradient(w, v -> {
            Tensor y = zeros(shape);
            r.layerNorm(f32(shape, x), f32(vec, v), f32(vec, b), 1e-5f, y, null, null);
            return dot(c, r.toFloats(y));
        }, 1e-2);
        double[] numB = gradient(b, v -> {
            Tensor y = zeros(shape);
            r.layerNorm(f32(shape, x), f32(vec, w), f32(vec, v), 1e-5f, y, null, null);
            return dot(c, r.toFloats(y));
        }, 1e-2);
        assertGradient(r.toFloats(dx), numX, 1e-3, "layerNorm dx");
        assertGradient(r.toFloats(dw), numW, 1e-3, "layerNorm dweight");
        assertGradient(r.toFloats(db), numB, 1e-3, "layerNorm dbias");
    }

    // ---------------------------------------------------------------- rope

    @Test
    void ropeBackwardIsTheInverseRotation() {
        RopeSpec spec = RopeSpec.standard(12, 8, 10_000, 2f);
        int rows = 4;
        Shape shape = Shape.of(rows, 24);
        Tensor pos = r.fromInts(Shape.of(rows), new int[] {0, 3, 17, 1000});
        float[] x = normal(rows * 24, 1);
        double[] c = weights(rows * 24);
        Function<Tensor, Tensor> fwd = in -> {
            Tensor out = zeros(shape);
            r.rope(in, pos, spec, out, false, false);
            return out;
        };
        double[] numeric = gradient(x, v -> loss(c, shape, fwd, shape, v), 1e-2);
        Tensor dx = zeros(shape);
        r.rope(f32(shape, c), pos, spec, dx, true, true);
        assertGradient(r.toFloats(dx), numeric, 1e-4, "rope backward");
    }

    // ---------------------------------------------------------------- attention

    static List<Case> attentionCases() {
        return List.of(
                new Case("mha", 1, 4, 2, 2, 8),
                new Case("gqa2 window", 2, 5, 4, 2, 8).with(2, Mask.NONE),
                new Case("mqa holes", 1, 5, 3, 1, 8).with(0, Mask.HOLES),
                new Case("left pad: rows that see nothing", 2, 4, 2, 1, 8).with(0, Mask.LEFT),
                new Case("cache", 2, 2, 5, 7, 3, 2, 1, 8, 3, Mask.RIGHT, 0.3f, 1));
    }

    @ParameterizedTest
    @MethodSource("attentionCases")
    void attention(Case k) {
        AttentionSpec spec = k.spec();
        Shape qShape = Shape.of(k.batch() * k.queryLen(), k.heads() * k.headDim());
        Shape kvShape = Shape.of(k.batch() * k.capacity(), k.kvHeads() * k.headDim());
        float[] q = normal(Math.toIntExact(qShape.numel()), 1);
        float[] kk = normal(Math.toIntExact(kvShape.numel()), 1);
        float[] v = normal(Math.toIntExact(kvShape.numel()), 1);
        Tensor mask = null;
        if (k.mask() != Mask.NONE) {
            int[] m = new int[k.batch() * k.capacity()];
            Arrays.fill(m, 1);
            for (int b = 0; b < k.batch(); b++) {
                for (int j = 0; j < k.capacity(); j++) {
                    boolean masked = switch (k.mask()) {
                        case LEFT -> j < 1 + b; // sequence 1: queries 0 and 1 see nothing
                        case RIGHT -> j >= k.keyLen() - 1 - b;
                        case HOLES -> random.nextInt(3) == 0;
                        case NONE -> false;
                    };
                    m[b * k.capacity() + j] = masked ? 0 : 1;
                }
            }
            mask = r.fromInts(Shape.of(k.batch(), k.capacity()), m);
        }
        Tensor keyMask = mask;
        double[] c = weights(Math.toIntExact(qShape.numel()));
        Tensor out = zeros(qShape);
        Tensor lse = zeros(Shape.of(k.batch() * k.heads() * k.queryLen()));
        r.attention(f32(qShape, q), f32(kvShape, kk), f32(kvShape, v), keyMask, k.queryStart(), spec, out, lse);
        Tensor dq = zeros(qShape);
        Tensor dk = zeros(kvShape);
        Tensor dv = zeros(kvShape);
        r.attentionBackward(f32(qShape, q), f32(kvShape, kk), f32(kvShape, v), keyMask, k.queryStart(), spec, out,
                lse, f32(qShape, c), dq, dk, dv);
        double[] numQ = gradient(q, x -> attentionLoss(c, x, kk, v, keyMask, k, qShape, kvShape), 1e-2);
        double[] numK = gradient(kk, x -> attentionLoss(c, q, x, v, keyMask, k, qShape, kvShape), 1e-2);
        double[] numV = gradient(v, x -> attentionLoss(c, q, kk, x, keyMask, k, qShape, kvShape), 1e-2);
        assertGradient(r.toFloats(dq), numQ, 1e-3, "attention dq, " + k);
        assertGradient(r.toFloats(dk), numK, 1e-3, "attention dk, " + k);
        assertGradient(r.toFloats(dv), numV, 1e-3, "attention dv, " + k);
    }

    private double attentionLoss(double[] c, float[] q, float[] k, float[] v, Tensor mask, Case cs, Shape qShape,
                                 Shape kvShape) {
        Tensor out = zeros(qShape);
        r.attention(f32(qShape, q), f32(kvShape, k), f32(kvShape, v), mask, cs.queryStart(), cs.spec(), out, null);
        return dot(c, r.toFloats(out));
    }

    // ---------------------------------------------------------------- embedding and loss

    @Test
    void embedding() {
        int vocab = 6;
        int dim = 5;
        Shape tableShape = Shape.of(vocab, dim);
        Tensor ids = r.fromInts(Shape.of(7), new int[] {1, 4, 1, 0, 5, 1, 4});
        float[] table = normal(vocab * dim, 1);
        double[] c = weights(7 * dim);
        double[] numeric = gradient(table, t -> {
            Tensor out = zeros(Shape.of(7, dim));
            r.embedding(ids, f32(tableShape, t), out);
            return dot(c, r.toFloats(out));
        }, 1e-2);
        Tensor dtable = zeros(tableShape);
        r.embeddingBackward(ids, f32(Shape.of(7, dim), c), dtable);
        assertGradient(r.toFloats(dtable), numeric, 1e-4, "embedding backward");
    }

    @Test
    void crossEntropy() {
        int rows = 4;
        int vocab = 7;
        Shape shape = Shape.of(rows, vocab);
        Tensor labels = r.fromInts(Shape.of(rows), new int[] {2, -100, 6, 0});
        float[] logits = normal(rows * vocab, 2);
        double[] numeric = gradient(logits, l -> r.crossEntropy(f32(shape, l), labels, -100, null, 0f), 1e-2);
        Tensor dlogits = zeros(shape);
        r.crossEntropy(f32(shape, logits), labels, -100, dlogits, 1f);
        assertGradient(r.toFloats(dlogits), numeric, 1e-4, "cross-entropy gradient");
    }
}
