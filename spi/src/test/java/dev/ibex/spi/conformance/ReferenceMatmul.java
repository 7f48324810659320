package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.MatmulKernels;
import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.backend.Tensor;

/**
 * Reference matrix products: the definitions of {@link dev.ibex.spi.backend.MatmulKernels}, one scalar loop per
 * output element, accumulated in double. F16/BF16 weights are decoded to floats first ({@link
 * ReferenceBackend#floats}); quantized weights use their format's own reference product.
 */
final class ReferenceMatmul implements MatmulKernels {

    /** {@code y (+)= x·wᵀ + bias}; x {@code [M, K]}, w {@code [N, K]}, y {@code [M, N]}. */
    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, Tensor y, boolean accumulate) {
        int m = rows(x);
        int k = cols(x);
        int n = Math.toIntExact(w.shape().dim(0));
        float[] xv = ReferenceBackend.floats(x);
        float[] yv = ReferenceBackend.floats(y);
        float[] b = bias == null ? new float[n] : ReferenceBackend.floats(bias);
        if (w instanceof QuantTensor q) {
            q.source().referenceLinear(xv, m, yv, accumulate);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    yv[i * n + j] += b[j];
                }
            }
            ReferenceBackend.store(y, yv);
            return;
        }
        float[] wv = ReferenceBackend.floats(w);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = b[j];
                for (int p = 0; p < k; p++) {
                    acc += (double) xv[i * k + p] * wv[j * k + p];
                }
                yv[i * n + j] = (float) (accumulate ? yv[i * n + j] + acc : acc);
            }
        }
        ReferenceBackend.store(y, yv);
    }

    /** {@code dx += dy·w}; dy {@code [M, N]}, w {@code [N, K]}, dx {@code [M, K]}. */
    @Override
    public void linearBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        int m = rows(dy);
        int n = cols(dy);
        int k = cols(dx);
        float[] dyv = ReferenceBackend.floats(dy);
        float[] dxv = ReferenceBackend.floats(dx);
        if (w instanceof QuantTensor q) {
            q.source().referenceLinearBackwardInput(dyv, m, dxv);
            ReferenceBackend.store(dx, dxv);
            return;
        }
        float[] wv = ReferenceBackend.floats(w);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double acc = dxv[i * k + p];
                for (int j = 0; j < n; j++) {
                    acc += (double) dyv[i * n + j] * wv[j * k + p];
                }
                dxv[i * k + p] = (float) acc;
            }
        }
        ReferenceBackend.store(dx, dxv);
    }

    /** {@code dw += dyᵀ·x}; dy {@code [M, N]}, x {@code [M, K]}, dw {@code [N, K]}. */
    @Override
    public void linearBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        int m = rows(dy);
        int n = cols(dy);
        int k = cols(x);
        float[] dyv = ReferenceBackend.floats(dy);
        float[] xv = ReferenceBackend.floats(x);
        float[] dwv = ReferenceBackend.floats(dw);
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                double acc = dwv[j * k + p];
                for (int i = 0; i < m; i++) {
                    acc += (double) dyv[i * n + j] * xv[i * k + p];
                }
                dwv[j * k + p] = (float) acc;
            }
        }
        ReferenceBackend.store(dw, dwv);
    }

    /** {@code out[n] += Σ_m x[m, n]}. */
    @Override
    public void sumRows(Tensor x, Tensor out) {
        int m = rows(x);
        int n = cols(x);
        float[] xv = ReferenceBackend.floats(x);
        float[] o = ReferenceBackend.floats(out);
        for (int j = 0; j < n; j++) {
            double acc = o[j];
            for (int i = 0; i < m; i++) {
                acc += xv[i * n + j];
            }
            o[j] = (float) acc;
        }
        ReferenceBackend.store(out, o);
    }

    private static int rows(Tensor t) {
        return Math.toIntExact(t.shape().rows());
    }

    private static int cols(Tensor t) {
        return Math.toIntExact(t.shape().cols());
    }
}
