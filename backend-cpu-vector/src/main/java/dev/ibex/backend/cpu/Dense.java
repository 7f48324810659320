package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the non-matmul kernels share: the vector species, little-endian segment access, argument checks and the
 * conversion of small F16/BF16 weight vectors (norm weights, one embedding row) to F32.
 */
final class Dense {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    private Dense() {
    }

    /** The vector of floats at element {@code i} of a native F32 segment. */
    static FloatVector load(MemorySegment s, int i) {
        return FloatVector.fromMemorySegment(S, s, i * 4L, LE);
    }

    static void store(FloatVector v, MemorySegment s, int i) {
        v.intoMemorySegment(s, i * 4L, LE);
    }

    static float get(MemorySegment s, int i) {
        return s.getAtIndex(F32, i);
    }

    static void set(MemorySegment s, int i, float v) {
        s.setAtIndex(F32, i, v);
    }

    /** The element count of an F32 tensor as an int (kernels index with ints: see the package comment). */
    static int count(Tensor t) {
        long n = t.numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + t.shape() + " has more than 2^31 - 1 elements");
        }
        return (int) n;
    }

    /** The common element count of F32 tensors that must agree, failing clearly when they do not. */
    static int sameCount(String op, Tensor first, Tensor... others) {
        int n = count(first);
        for (Tensor t : others) {
            if (t != null && t.numel() != n) {
                throw new IllegalArgumentException(op + ": " + first.shape() + " and " + t.shape()
                        + " differ in size");
            }
        }
        return n;
    }

    /** The segment of an F32 tensor, or null for a null tensor (an output that is not wanted). */
    static MemorySegment f32OrNull(Tensor t, String what) {
        return t == null ? null : CpuTensor.f32(t, what).data();
    }

    static MemorySegment f32(Tensor t, String what) {
        return CpuTensor.f32(t, what).data();
    }

    /**
     * An F32/F16/BF16 vector of {@code n} elements as floats: norm weights and biases are one row, converted once
     * per call so the row loops read plain arrays.
     */
    static float[] floats(Tensor t, int n, String what) {
        CpuTensor c = CpuTensor.of(t);
        if (c.numel() != n) {
            throw new IllegalArgumentException(what + " " + c.shape() + " does not match " + n + " columns");
        }
        float[] out = new float[n];
        readRow(c, 0, out, 0, n);
        return out;
    }

    /** Converts {@code n} elements from flat index {@code from} of an F32/F16/BF16 tensor into {@code dst}. */
    static void readRow(CpuTensor t, long from, float[] dst, int dstOffset, int n) {
        MemorySegment s = t.data();
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(s, F32, from * 4, dst, dstOffset, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = Float.intBitsToFloat((s.getAtIndex(I16, from + i) & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = Float.float16ToFloat(s.getAtIndex(I16, from + i));
                }
            }
            default -> throw new IllegalArgumentException("expected an F32, F16 or BF16 tensor, got " + t.dtype());
        }
    }

    /** Fails unless {@code t} is I32. */
    static MemorySegment i32(Tensor t, String what) {
        CpuTensor c = CpuTensor.of(t);
        if (c.dtype() != DType.I32) {
            throw new IllegalArgumentException(what + " must be I32, got " + c.dtype() + " " + c.shape());
        }
        return c.data();
    }
}
