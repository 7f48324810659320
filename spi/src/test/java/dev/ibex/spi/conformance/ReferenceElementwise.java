package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.ReferenceBackend.floats;
import static dev.ibex.spi.conformance.ReferenceBackend.store;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.DropoutMask;
import dev.ibex.spi.backend.ElementwiseKernels;
import dev.ibex.spi.backend.Tensor;

/**
 * Pointwise reference kernels. Arithmetic the backends do in F32 ({@code add}, {@code mul}, {@code scale},
 * {@code axpy}, dropout) is done here in F32 with the same rounding; activations are evaluated in double and
 * rounded once.
 */
final class ReferenceElementwise implements ElementwiseKernels {

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        float[] x = floats(a);
        float[] y = floats(b);
        sameCount(x, y, "add");
        float[] r = new float[x.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[i] + y[i];
        }
        store(out, r);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        float[] x = floats(a);
        float[] y = floats(b);
        sameCount(x, y, "mul");
        float[] r = new float[x.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[i] * y[i];
        }
        store(out, r);
    }

    @Override
    public void scale(Tensor x, float alpha, Tensor out) {
        float[] v = floats(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = alpha * v[i];
        }
        store(out, v);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        float[] xs = floats(x);
        float[] ys = floats(y);
        sameCount(xs, ys, "axpy");
        for (int i = 0; i < ys.length; i++) {
            ys[i] = ys[i] + alpha * xs[i];
        }
        store(y, ys);
    }

    @Override
    public void activation(Activation f, Tensor x, Tensor out) {
        float[] v = floats(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = apply(f, v[i]);
        }
        store(out, v);
    }

    @Override
    public void activationBackward(Activation f, Tensor x, Tensor dy, Tensor dx) {
        float[] xs = floats(x);
        float[] g = floats(dy);
        float[] acc = floats(dx);
        for (int i = 0; i < acc.length; i++) {
            acc[i] += (float) (derivative(f, xs[i]) * g[i]);
        }
        store(dx, acc);
    }

    static float apply(Activation f, float x) {
        return switch (f) {
            case RELU -> x > 0 ? x : 0f;
            case GELU -> (float) ReferenceMath.gelu(x);
            case GELU_TANH -> (float) ReferenceMath.geluTanh(x);
            case SILU -> (float) ReferenceMath.silu(x);
        };
    }

    /** f'(x); ReLU's derivative at 0 is 0, as torch's {@code threshold_backward}. */
    static double derivative(Activation f, float x) {
        return switch (f) {
            case RELU -> x > 0 ? 1 : 0;
            case GELU -> ReferenceMath.geluGrad(x);
            case GELU_TANH -> ReferenceMath.geluTanhGrad(x);
            case SILU -> ReferenceMath.siluGrad(x);
        };
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        float[] g = floats(gate);
        float[] u = floats(up);
        sameCount(g, u, "swiglu");
        float[] r = new float[g.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) (ReferenceMath.silu(g[i]) * u[i]);
        }
        store(out, r);
    }

    @Override
    public void swigluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dgate, Tensor dup) {
        float[] g = floats(gate);
        float[] u = floats(up);
        float[] d = floats(dy);
        if (dgate != null) {
            float[] acc = floats(dgate);
            for (int i = 0; i < acc.length; i++) {
                acc[i] += (float) ((double) d[i] * u[i] * ReferenceMath.siluGrad(g[i]));
            }
            store(dgate, acc);
        }
        if (dup != null) {
            float[] acc = floats(dup);
            for (int i = 0; i < acc.length; i++) {
                acc[i] += (float) (d[i] * ReferenceMath.silu(g[i]));
            }
            store(dup, acc);
        }
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int count, boolean accumulate) {
        int rows = Math.toIntExact(src.shape().rows());
        int srcCols = Math.toIntExact(src.shape().cols());
        int dstCols = Math.toIntExact(dst.shape().cols());
        if (dst.shape().rows() != rows) {
            throw new IllegalArgumentException("copyColumns: " + src.shape() + " and " + dst.shape()
                    + " differ in rows");
        }
        if (srcCol < 0 || dstCol < 0 || count < 0 || srcCol + count > srcCols || dstCol + count > dstCols) {
            throw new IndexOutOfBoundsException("copyColumns: columns [" + srcCol + ", " + (srcCol + count)
                    + ") of " + src.shape() + " to [" + dstCol + ", " + (dstCol + count) + ") of " + dst.shape());
        }
        float[] s = floats(src);
        float[] d = floats(dst);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < count; c++) {
                float v = s[r * srcCols + srcCol + c];
                int at = r * dstCols + dstCol + c;
                d[at] = accumulate ? d[at] + v : v;
            }
        }
        store(dst, d);
    }

    @Override
    public void dropout(Tensor x, float p, long seed, Tensor out) {
        float[] v = floats(x);
        float scale = DropoutMask.scale(p);
        for (int i = 0; i < v.length; i++) {
            v[i] = DropoutMask.keep(seed, i, p) ? v[i] * scale : 0f;
        }
        store(out, v);
    }

    private static void sameCount(float[] a, float[] b, String op) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(op + ": " + a.length + " and " + b.length + " elements");
        }
    }
}
