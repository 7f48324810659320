package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link dev.ibex.spi.backend.MemoryOps}: allocation, scopes, uploads and the host copies. These are exact: no
 * arithmetic happens, so every value must read back bit for bit.
 */
public abstract class MemoryConformance extends ConformanceSupport {

    @Test
    void allocateGivesZeros() {
        Tensor f = backend.allocate(DType.F32, Shape.of(3, 7));
        assertEquals(Shape.of(3, 7), f.shape());
        assertEquals(DType.F32, f.dtype());
        assertArrayEquals(new float[21], backend.toFloats(f));
        Tensor i = backend.allocate(DType.I32, Shape.of(13));
        assertArrayEquals(new int[13], backend.toInts(i));
    }

    @Test
    void closedScopeReleasesItsTensors() {
        Tensor outside = backend.fromFloats(Shape.of(2), new float[] {1, 2});
        Tensor inner;
        Tensor outer;
        try (AllocationScope a = backend.openScope()) {
            outer = backend.allocate(DType.F32, Shape.of(4));
            try (AllocationScope b = backend.openScope()) {
                inner = backend.fromFloats(Shape.of(3), new float[] {1, 2, 3});
                assertArrayEquals(new float[] {1, 2, 3}, backend.toFloats(inner));
            }
            Tensor released = inner;
            assertThrows(RuntimeException.class, () -> backend.toFloats(released),
                    "a tensor of a closed scope must not be readable");
            // The outer scope is still open: its tensor still works.
            backend.fill(outer, 5f);
            assertArrayEquals(new float[] {5, 5, 5, 5}, backend.toFloats(outer));
        }
        Tensor released = outer;
        assertThrows(RuntimeException.class, () -> backend.fill(released, 1f));
        assertArrayEquals(new float[] {1, 2}, backend.toFloats(outside), "tensors outside scopes live on");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void uploadReadsBackExactly(DType dtype) {
        float[] values = normal(37, 3);
        values[0] = 0f;
        values[1] = -0f;
        values[2] = 65504f; // the largest F16
        float[] expected = rounded(dtype, values);
        Tensor t = backend.upload(host(dtype, Shape.of(37), values));
        assertEquals(dtype, t.dtype());
        assertEquals(Shape.of(37), t.shape());
        assertArrayEquals(expected, backend.toFloats(t));
        float[] part = new float[5];
        backend.readFloats(t, 30, part, 0, 5);
        assertArrayEquals(java.util.Arrays.copyOfRange(expected, 30, 35), part, "readFloats at an offset");
    }

    @Test
    void uploadOfIntegers() {
        int[] ids = {0, -1, 7, Integer.MAX_VALUE, 42};
        Tensor t = backend.upload(hostInts(Shape.of(5), ids));
        assertEquals(DType.I32, t.dtype());
        assertArrayEquals(ids, backend.toInts(t));
    }

    @Test
    void writeAndReadFloatsAtOffsets() {
        Tensor t = backend.allocate(DType.F32, Shape.of(4, 5));
        float[] src = {9, 1, 2, 3, 9};
        backend.writeFloats(t, 7, src, 1, 3);
        float[] all = backend.toFloats(t);
        float[] expected = new float[20];
        expected[7] = 1;
        expected[8] = 2;
        expected[9] = 3;
        assertArrayEquals(expected, all);
        float[] dst = {-1, -1, -1, -1};
        backend.readFloats(t, 8, dst, 1, 2);
        assertArrayEquals(new float[] {-1, 2, 3, -1}, dst);
    }

    @Test
    void fromFloatsAndInts() {
        float[] v = normal(33, 1);
        assertArrayEquals(v, backend.toFloats(backend.fromFloats(Shape.of(3, 11), v)));
        int[] ids = {3, 1, 4, 1, 5, 9, 2, 6, -100};
        Tensor t = backend.fromInts(Shape.of(9), ids);
        assertEquals(DType.I32, t.dtype());
        assertArrayEquals(ids, backend.toInts(t));
        assertThrows(IllegalArgumentException.class, () -> backend.fromFloats(Shape.of(4), new float[3]));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void copyMovesElementsBetweenOffsets(DType dtype) {
        float[] values = rounded(dtype, normal(12, 1));
        Tensor src = backend.upload(host(dtype, Shape.of(12), values));
        Tensor dst = backend.upload(host(dtype, Shape.of(10), new float[10]));
        backend.copy(src, 3, dst, 5, 4);
        float[] expected = new float[10];
        System.arraycopy(values, 3, expected, 5, 4);
        assertArrayEquals(expected, backend.toFloats(dst));
    }

    @Test
    void copyOfIntegersAndDtypeMismatch() {
        Tensor src = backend.fromInts(Shape.of(4), new int[] {1, 2, 3, 4});
        Tensor dst = backend.allocate(DType.I32, Shape.of(6));
        backend.copy(src, 1, dst, 0, 3);
        assertArrayEquals(new int[] {2, 3, 4, 0, 0, 0}, backend.toInts(dst));
        Tensor f = backend.allocate(DType.F32, Shape.of(6));
        assertThrows(IllegalArgumentException.class, () -> backend.copy(src, 0, f, 0, 1));
    }

    @Test
    void reshapeSharesStorage() {
        float[] v = normal(12, 1);
        Tensor t = backend.fromFloats(Shape.of(3, 4), v);
        Tensor r = backend.reshape(t, Shape.of(2, 6));
        assertEquals(Shape.of(2, 6), r.shape());
        assertArrayEquals(v, backend.toFloats(r));
        backend.writeFloats(r, 11, new float[] {42}, 0, 1);
        assertEquals(42f, backend.toFloats(t)[11], "a write through the reshaped view shows in the original");
        assertThrows(IllegalArgumentException.class, () -> backend.reshape(t, Shape.of(5)));
    }

    @Test
    void fillSetsEveryElement() {
        Tensor t = backend.fromFloats(Shape.of(37), normal(37, 1));
        backend.fill(t, -2.5f);
        float[] expected = new float[37];
        java.util.Arrays.fill(expected, -2.5f);
        assertArrayEquals(expected, backend.toFloats(t));
        backend.fill(t, 0f);
        assertArrayEquals(new float[37], backend.toFloats(t));
    }
}
