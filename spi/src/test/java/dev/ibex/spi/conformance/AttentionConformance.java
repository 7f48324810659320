package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.tensor.Shape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link dev.ibex.spi.backend.AttentionKernels} against the reference, forward ({@code out} and {@code lse}) and
 * backward ({@code dq}, {@code dk}, {@code dv} accumulated onto non-zero values), over: head sizes 16, 20, 24 and
 * 64; multi-head, grouped (2 and 4 query heads per key/value head) and multi-query attention; sliding windows;
 * queries that start inside a KV cache longer than the keys in use (whose unused tail holds garbage), or that sit
 * past the keys in use; single-row decoding; left, right and scattered key padding, including rows that see no key
 * at all; and sequences long enough to span several blocks of a tiled kernel.
 */
public abstract class AttentionConformance extends ConformanceSupport {

    /** How keys are padded out. */
    public enum Mask { NONE, LEFT, RIGHT, HOLES }

    /**
     * One attention call.
     *
     * @param capacity keys per sequence in the k/v tensors (≥ keyLen)
     * @param qSigma   spread of the query values (large: peaked softmax)
     */
    public record Case(String name, int batch, int queryLen, int keyLen, int capacity, int queryStart, int heads,
                int kvHeads, int headDim, int window, Mask mask, float scale, double qSigma) {
        Case(String name, int batch, int queryLen, int heads, int kvHeads, int headDim) {
            this(name, batch, queryLen, queryLen, queryLen, 0, heads, kvHeads, headDim, 0, Mask.NONE,
                    (float) (1 / Math.sqrt(headDim)), 1);
        }

        Case with(int window, Mask mask) {
            return new Case(name, batch, queryLen, keyLen, capacity, queryStart, heads, kvHeads, headDim, window,
                    mask, scale, qSigma);
        }

        AttentionSpec spec() {
            return new AttentionSpec(batch, queryLen, keyLen, heads, kvHeads, headDim, scale, window);
        }

        @Override
        public String toString() {
            return name + " " + spec() + " queryStart " + queryStart + " capacity " + capacity + " mask " + mask;
        }
    }

    public static List<Case> cases() {
        float s64 = 0.125f;
        return List.of(
                new Case("single", 1, 1, 1, 1, 16),
                new Case("mha", 2, 7, 4, 4, 16),
                new Case("gqa2", 2, 13, 4, 2, 24),
                new Case("gqa4", 1, 33, 8, 2, 64),
                new Case("mqa", 2, 9, 4, 1, 16),
                new Case("mqa wide", 1, 17, 8, 1, 20),
                new Case("window 3", 2, 13, 2, 1, 16).with(3, Mask.NONE),
                new Case("window 1", 1, 6, 2, 2, 16).with(1, Mask.NONE),
                new Case("cache + window 5", 1, 4, 20, 24, 16, 4, 2, 24, 5, Mask.NONE, 0.2f, 1),
                new Case("decode", 2, 1, 41, 64, 40, 4, 2, 64, 0, Mask.NONE, s64, 1),
                new Case("decode window", 1, 1, 70, 80, 69, 4, 4, 16, 7, Mask.NONE, 0.25f, 1),
                new Case("queries mid-cache", 2, 3, 12, 12, 5, 2, 1, 16, 0, Mask.NONE, 0.25f, 1),
                new Case("queries past keyLen", 1, 4, 5, 8, 3, 2, 1, 16, 0, Mask.NONE, 0.25f, 1),
                new Case("long", 1, 100, 2, 1, 64),
                new Case("long window", 1, 90, 2, 2, 16).with(20, Mask.NONE),
                new Case("left pad", 2, 8, 2, 2, 16).with(0, Mask.LEFT),
                new Case("right pad", 2, 10, 4, 2, 16).with(0, Mask.RIGHT),
                new Case("holes + window", 2, 11, 4, 2, 16).with(4, Mask.HOLES),
                new Case("decode left pad", 2, 2, 12, 16, 10, 2, 1, 16, 0, Mask.LEFT, 0.25f, 1),
                new Case("unscaled (OPT)", 2, 6, 6, 6, 0, 2, 2, 16, 0, Mask.NONE, 1f, 0.25),
                new Case("peaked", 1, 20, 20, 20, 0, 2, 1, 64, 0, Mask.NONE, s64, 6));
    }

    /** The inputs of one case on both backends. */
    private record Inputs(Pair q, Pair k, Pair v, Pair mask) {
    }

    private Inputs inputs(Case c) {
        int kvCols = c.kvHeads * c.headDim;
        Pair q = randomF32(Shape.of(c.batch * c.queryLen, c.heads * c.headDim), c.qSigma);
        Pair k = randomF32(Shape.of(c.batch * c.capacity, kvCols), 1);
        Pair v = randomF32(Shape.of(c.batch * c.capacity, kvCols), 1);
        Pair mask = null;
        if (c.mask != Mask.NONE) {
            int[] m = new int[c.batch * c.capacity];
            Arrays.fill(m, 1);
            for (int b = 0; b < c.batch; b++) {
                int pad = 3 * b + 1; // a different amount per sequence
                for (int j = 0; j < c.capacity; j++) {
                    boolean masked = switch (c.mask) {
                        case LEFT -> j < Math.min(pad, c.keyLen - 1);
                        case RIGHT -> j >= c.keyLen - pad;
                        case HOLES -> random.nextInt(3) == 0;
                        case NONE -> false;
                    };
                    m[b * c.capacity + j] = masked ? 0 : 1;
                }
            }
            mask = i32(Shape.of(c.batch, c.capacity), m);
        }
        return new Inputs(q, k, v, mask);
    }

    private static <T> T side(Pair p, boolean ref) {
        if (p == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        T t = (T) (ref ? p.ref() : p.dut());
        return t;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forward(Case c) {
        Inputs in = inputs(c);
        AttentionSpec spec = c.spec();
        Pair out = zeros(Shape.of(c.batch * c.queryLen, c.heads * c.headDim));
        Pair lse = zeros(Shape.of(c.batch * c.heads * c.queryLen));
        reference.attention(in.q.ref(), in.k.ref(), in.v.ref(), side(in.mask, true), c.queryStart, spec, out.ref(),
                lse.ref());
        backend.attention(in.q.dut(), in.k.dut(), in.v.dut(), side(in.mask, false), c.queryStart, spec, out.dut(),
                lse.dut());
        assertMatches(out, 2e-6, RTOL, "attention out, " + c);
        assertMatches(lse, 1e-5, RTOL, "attention lse, " + c);

        Pair noLse = zeros(Shape.of(c.batch * c.queryLen, c.heads * c.headDim));
        backend.attention(in.q.dut(), in.k.dut(), in.v.dut(), side(in.mask, false), c.queryStart, spec,
                noLse.dut(), null);
        assertClose(reference.toFloats(out.ref()), backend.toFloats(noLse.dut()), 2e-6, RTOL,
                "attention without lse, " + c);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void backward(Case c) {
        Inputs in = inputs(c);
        AttentionSpec spec = c.spec();
        Shape qShape = Shape.of(c.batch * c.queryLen, c.heads * c.headDim);
        Pair out = zeros(qShape);
        Pair lse = zeros(Shape.of(c.batch * c.heads * c.queryLen));
        reference.attention(in.q.ref(), in.k.ref(), in.v.ref(), side(in.mask, true), c.queryStart, spec, out.ref(),
                lse.ref());
        backend.attention(in.q.dut(), in.k.dut(), in.v.dut(), side(in.mask, false), c.queryStart, spec, out.dut(),
                lse.dut());
        Pair dout = randomF32(qShape, 1);
        Pair dq = randomF32(qShape, 1);
        Pair dk = randomF32(in.k.ref().shape(), 1);
        Pair dv = randomF32(in.v.ref().shape(), 1);
        reference.attentionBackward(in.q.ref(), in.k.ref(), in.v.ref(), side(in.mask, true), c.queryStart, spec,
                out.ref(), lse.ref(), dout.ref(), dq.ref(), dk.ref(), dv.ref());
        backend.attentionBackward(in.q.dut(), in.k.dut(), in.v.dut(), side(in.mask, false), c.queryStart, spec,
                out.dut(), lse.dut(), dout.dut(), dq.dut(), dk.dut(), dv.dut());
        double tol = 2e-5 * Math.max(1, c.qSigma);
        assertMatches(dq, tol, RTOL, "attention dq, " + c);
        assertMatches(dk, tol, RTOL, "attention dk, " + c);
        assertMatches(dv, tol, RTOL, "attention dv, " + c);
    }

    @Test
    void backwardSkipsGradientsItIsNotAskedFor() {
        Case c = new Case("gqa2 window", 2, 11, 4, 2, 24).with(4, Mask.RIGHT);
        Inputs in = inputs(c);
        AttentionSpec spec = c.spec();
        Shape qShape = Shape.of(c.batch * c.queryLen, c.heads * c.headDim);
        Pair out = zeros(qShape);
        Pair lse = zeros(Shape.of(c.batch * c.heads * c.queryLen));
        reference.attention(in.q.ref(), in.k.ref(), in.v.ref(), in.mask.ref(), 0, spec, out.ref(), lse.ref());
        backend.attention(in.q.dut(), in.k.dut(), in.v.dut(), in.mask.dut(), 0, spec, out.dut(), lse.dut());
        Pair dout = randomF32(qShape, 1);
        for (int which = 0; which < 3; which++) {
            Pair dq = which == 0 ? zeros(qShape) : null;
            Pair dk = which == 1 ? zeros(in.k.ref().shape()) : null;
            Pair dv = which == 2 ? zeros(in.v.ref().shape()) : null;
            reference.attentionBackward(in.q.ref(), in.k.ref(), in.v.ref(), in.mask.ref(), 0, spec, out.ref(),
                    lse.ref(), dout.ref(), side(dq, true), side(dk, true), side(dv, true));
            backend.attentionBackward(in.q.dut(), in.k.dut(), in.v.dut(), in.mask.dut(), 0, spec, out.dut(),
                    lse.dut(), dout.dut(), side(dq, false), side(dk, false), side(dv, false));
            Pair only = which == 0 ? dq : which == 1 ? dk : dv;
            assertMatches(only, 2e-5, RTOL, "attention backward with only " + "qkv".charAt(which) + ", " + c);
        }
    }
}
