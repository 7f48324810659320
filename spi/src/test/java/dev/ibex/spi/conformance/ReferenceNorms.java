package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.ReferenceBackend.floats;
import static dev.ibex.spi.conformance.ReferenceBackend.store;

import dev.ibex.spi.backend.NormKernels;
import dev.ibex.spi.backend.Tensor;

/**
 * Row-wise norms. Statistics are accumulated in double and rounded to F32 once, as the saved {@code mean} and
 * {@code rstd}; the normalisation then follows torch's F32 order of operations. The backward kernels take the
 * saved statistics (which the forward pass must have written) and work in double.
 */
final class ReferenceNorms implements NormKernels {

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y, Tensor rstd) {
        int rows = Math.toIntExact(x.shape().rows());
        int n = Math.toIntExact(x.shape().cols());
        float[] xs = floats(x);
        float[] w = weight(weight, n);
        float[] out = new float[xs.length];
        float[] r = new float[rows];
        for (int row = 0; row < rows; row++) {
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double v = xs[row * n + i];
                ss += v * v;
            }
            r[row] = (float) (1 / Math.sqrt(ss / n + eps));
            for (int i = 0; i < n; i++) {
                // HF: weight * (x * rsqrt(var + eps)), each product rounded to F32.
                float normed = xs[row * n + i] * r[row];
                out[row * n + i] = w[i] * normed;
            }
        }
        store(y, out);
        if (rstd != null) {
            store(rstd, r);
        }
    }

    /**
     * With {@code x̂ = x·r}: {@code ∂L/∂x_i = r·(w_i·dy_i) − r³/n · x_i · Σ_j w_j·dy_j·x_j} and
     * {@code ∂L/∂w_i = Σ_rows dy_i·x̂_i}.
     */
    @Override
    public void rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dweight) {
        int rows = Math.toIntExact(x.shape().rows());
        int n = Math.toIntExact(x.shape().cols());
        float[] xs = floats(x);
        float[] g = floats(dy);
        float[] w = weight(weight, n);
        float[] r = floats(required(rstd, "rstd"));
        float[] dxs = dx != null ? floats(dx) : null;
        double[] dw = new double[n];
        for (int row = 0; row < rows; row++) {
            int o = row * n;
            double rs = r[row];
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += (double) w[i] * g[o + i] * xs[o + i];
            }
            for (int i = 0; i < n; i++) {
                if (dxs != null) {
                    double d = rs * w[i] * g[o + i] - rs * rs * rs / n * xs[o + i] * dot;
                    dxs[o + i] += (float) d;
                }
                dw[i] += (double) g[o + i] * xs[o + i] * rs;
            }
        }
        if (dxs != null) {
            store(dx, dxs);
        }
        addInto(dweight, dw);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd) {
        int rows = Math.toIntExact(x.shape().rows());
        int n = Math.toIntExact(x.shape().cols());
        float[] xs = floats(x);
        float[] w = weight(weight, n);
        float[] b = bias == null ? new float[n] : weight(bias, n);
        float[] out = new float[xs.length];
        float[] mu = new float[rows];
        float[] r = new float[rows];
        for (int row = 0; row < rows; row++) {
            int o = row * n;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += xs[o + i];
            }
            double m = sum / n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                double d = xs[o + i] - m;
                var += d * d;
            }
            var /= n; // biased, as torch
            double rs = 1 / Math.sqrt(var + eps);
            mu[row] = (float) m;
            r[row] = (float) rs;
            for (int i = 0; i < n; i++) {
                out[o + i] = (float) ((xs[o + i] - m) * rs * w[i] + b[i]);
            }
        }
        store(y, out);
        if (mean != null) {
            store(mean, mu);
        }
        if (rstd != null) {
            store(rstd, r);
        }
    }

    /**
     * With {@code x̂ = (x − mean)·r} and {@code g = dy ⊙ w}:
     * {@code ∂L/∂x = r·(g − mean(g) − x̂·mean(g ⊙ x̂))}, {@code ∂L/∂w = Σ_rows dy ⊙ x̂}, {@code ∂L/∂b = Σ_rows dy}.
     */
    @Override
    public void layerNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd,
                                  Tensor dx, Tensor dweight, Tensor dbias) {
        int rows = Math.toIntExact(x.shape().rows());
        int n = Math.toIntExact(x.shape().cols());
        float[] xs = floats(x);
        float[] g = floats(dy);
        float[] w = weight(weight, n);
        float[] mu = floats(required(mean, "mean"));
        float[] r = floats(required(rstd, "rstd"));
        float[] dxs = dx != null ? floats(dx) : null;
        double[] dw = new double[n];
        double[] db = new double[n];
        double[] xhat = new double[n];
        for (int row = 0; row < rows; row++) {
            int o = row * n;
            double meanG = 0;
            double meanGx = 0;
            for (int i = 0; i < n; i++) {
                xhat[i] = (xs[o + i] - (double) mu[row]) * r[row];
                double gi = (double) g[o + i] * w[i];
                meanG += gi;
                meanGx += gi * xhat[i];
                dw[i] += g[o + i] * xhat[i];
                db[i] += g[o + i];
            }
            meanG /= n;
            meanGx /= n;
            if (dxs != null) {
                for (int i = 0; i < n; i++) {
                    double gi = (double) g[o + i] * w[i];
                    dxs[o + i] += (float) (r[row] * (gi - meanG - xhat[i] * meanGx));
                }
            }
        }
        if (dxs != null) {
            store(dx, dxs);
        }
        addInto(dweight, dw);
        addInto(dbias, db);
    }

    private static float[] weight(Tensor t, int n) {
        if (t.numel() != n) {
            throw new IllegalArgumentException("norm weight " + t.shape() + " does not match " + n + " columns");
        }
        return floats(t);
    }

    private static Tensor required(Tensor t, String what) {
        if (t == null) {
            throw new IllegalArgumentException("the backward pass needs the saved " + what
                    + " from the forward pass");
        }
        return t;
    }

    private static void addInto(Tensor target, double[] values) {
        if (target == null) {
            return;
        }
        float[] acc = floats(target);
        for (int i = 0; i < acc.length; i++) {
            acc[i] += (float) values[i];
        }
        store(target, acc);
    }
}
