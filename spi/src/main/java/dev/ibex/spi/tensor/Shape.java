package dev.ibex.spi.tensor;

import java.util.Arrays;

/**
 * A tensor shape in row-major (C) order. Immutable; a rank-0 shape is a scalar with one element.
 */
public final class Shape {
    private final long[] dims;

    private Shape(long[] dims) {
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
        }
        this.dims = dims;
    }

    public static Shape of(long... dims) {
        return new Shape(dims.clone());
    }

    public static Shape of(int... dims) {
        return new Shape(Arrays.stream(dims).asLongStream().toArray());
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    /** The dimension as an int, failing clearly when it does not fit. */
    public int intDim(int axis) {
        return Math.toIntExact(dim(axis));
    }

    public long[] dims() {
        return dims.clone();
    }

    /** Number of elements, checked against overflow. */
    public long numel() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Rows of a matrix view: the product of all but the last dimension. */
    public long rows() {
        return rank() == 0 ? 1 : numel() / Math.max(1, dims[dims.length - 1]) ;
    }

    /** The last dimension (1 for a scalar). */
    public long cols() {
        return rank() == 0 ? 1 : dims[dims.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
