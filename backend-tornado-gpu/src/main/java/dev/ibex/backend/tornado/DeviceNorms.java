package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.NormKernels;
import dev.ibex.spi.backend.Tensor;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * RMSNorm and LayerNorm, forward and backward. Row statistics: one work-group of {@link Device#WG} per row, strided
 * partial sums and a tree in local memory (the tree is written out in each kernel: TornadoVM inlines helpers, but
 * not ones that take a local array and synchronise). Weight and bias gradients sum over rows: one work-item per
 * column, rows in blocks of 32.
 */
final class DeviceNorms implements NormKernels {
    private final Device device;
    private final Device.Launch rmsForward;
    private final Device.Launch rmsDx;
    private final Device.Launch layerForward;
    private final Device.Launch layerDx;
    private final Device.Launch columnSums;

    DeviceNorms(Device device) {
        this.device = device;
        this.rmsForward = device.kernel1d("rmsNorm", DeviceNorms::rmsNormKernel);
        this.rmsDx = device.kernel1d("rmsNormDx", DeviceNorms::rmsNormDxKernel);
        this.layerForward = device.kernel1d("layerNorm", DeviceNorms::layerNormKernel);
        this.layerDx = device.kernel1d("layerNormDx", DeviceNorms::layerNormDxKernel);
        this.columnSums = device.kernel1d("normColumns", DeviceNorms::columnsKernel);
    }

    // ------------------------------------------------------------------ kernels

    /**
     * {@code y = w ⊙ (x·r)}, {@code r = 1/sqrt(mean(x²) + eps)}. Parameters: rows, n, x, w, w type, y, rstd (or -1);
     * eps in {@code fp[0]}.
     */
    static void rmsNormKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                              IntArray ip, FloatArray fp) {
        float[] buf = c.allocateFloatLocalArray(128);
        int row = c.groupIdx;
        int l = c.localIdx;
        int n = ip.get(1);
        int x = ip.get(2) + row * n;
        float s = 0f;
        for (int p = l; p < n; p += 128) {
            float v = f32.get(x + p);
            s += v * v;
        }
        buf[l] = s;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                buf[l] = buf[l] + buf[l + stride];
            }
            c.localBarrier();
        }
        float r = 1f / TornadoMath.sqrt(buf[0] / n + fp.get(0));
        int w = ip.get(3);
        int type = ip.get(4);
        int y = ip.get(5) + row * n;
        for (int p = l; p < n; p += 128) {
            float normed = f32.get(x + p) * r;
            f32.set(y + p, KernelMath.load(f32, h16, k, type, w + p) * normed);
        }
        if (l == 0 && ip.get(6) >= 0) {
            f32.set(ip.get(6) + row, r);
        }
    }

    /**
     * {@code dx += r·w·dy − r³/n · x · Σ_j w_j·dy_j·x_j}. Parameters: rows, n, dy, x, w, w type, rstd, dx.
     */
    static void rmsNormDxKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                                IntArray ip, FloatArray fp) {
        float[] buf = c.allocateFloatLocalArray(128);
        int row = c.groupIdx;
        int l = c.localIdx;
        int n = ip.get(1);
        int dy = ip.get(2) + row * n;
        int x = ip.get(3) + row * n;
        int w = ip.get(4);
        int type = ip.get(5);
        float s = 0f;
        for (int p = l; p < n; p += 128) {
            s += KernelMath.load(f32, h16, k, type, w + p) * f32.get(dy + p) * f32.get(x + p);
        }
        buf[l] = s;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                buf[l] = buf[l] + buf[l + stride];
            }
            c.localBarrier();
        }
        float dot = buf[0];
        float r = f32.get(ip.get(6) + row);
        float coef = r * r * r / n * dot;
        int dx = ip.get(7) + row * n;
        for (int p = l; p < n; p += 128) {
            float d = r * KernelMath.load(f32, h16, k, type, w + p) * f32.get(dy + p) - coef * f32.get(x + p);
            f32.set(dx + p, f32.get(dx + p) + d);
        }
    }

    /**
     * {@code y = (x − mean)·r ⊙ w + b}, biased variance. Parameters: rows, n, x, w, w type, b (or -1), b type, y,
     * mean (or -1), rstd (or -1); eps in {@code fp[0]}.
     */
    static void layerNormKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                                IntArray ip, FloatArray fp) {
        float[] buf = c.allocateFloatLocalArray(128);
        int row = c.groupIdx;
        int l = c.localIdx;
        int n = ip.get(1);
        int x = ip.get(2) + row * n;
        float s = 0f;
        for (int p = l; p < n; p += 128) {
            s += f32.get(x + p);
        }
        buf[l] = s;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                buf[l] = buf[l] + buf[l + stride];
            }
            c.localBarrier();
        }
        float mean = buf[0] / n;
        c.localBarrier();
        // Two passes: the variance of values far from 0 (LayerNorm inputs often are) loses digits in one pass.
        float v = 0f;
        for (int p = l; p < n; p += 128) {
            float d = f32.get(x + p) - mean;
            v += d * d;
        }
        buf[l] = v;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                buf[l] = buf[l] + buf[l + stride];
            }
            c.localBarrier();
        }
        float r = 1f / TornadoMath.sqrt(buf[0] / n + fp.get(0));
        int w = ip.get(3);
        int wType = ip.get(4);
        int b = ip.get(5);
        int bType = ip.get(6);
        int y = ip.get(7) + row * n;
        for (int p = l; p < n; p += 128) {
            float out = (f32.get(x + p) - mean) * r * KernelMath.load(f32, h16, k, wType, w + p);
            if (b >= 0) {
                out = out + KernelMath.load(f32, h16, k, bType, b + p);
            }
            f32.set(y + p, out);
        }
        if (l == 0) {
            if (ip.get(8) >= 0) {
                f32.set(ip.get(8) + row, mean);
            }
            if (ip.get(9) >= 0) {
                f32.set(ip.get(9) + row, r);
            }
        }
    }

    /**
     * With {@code x̂ = (x − mean)·r}, {@code g = dy ⊙ w}: {@code dx += r·(g − mean(g) − x̂·mean(g ⊙ x̂))}.
     * Parameters: rows, n, dy, x, w, w type, mean, rstd, dx.
     */
    static void layerNormDxKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                                  IntArray ip, FloatArray fp) {
        float[] sumG = c.allocateFloatLocalArray(128);
        float[] sumGx = c.allocateFloatLocalArray(128);
        int row = c.groupIdx;
        int l = c.localIdx;
        int n = ip.get(1);
        int dy = ip.get(2) + row * n;
        int x = ip.get(3) + row * n;
        int w = ip.get(4);
        int type = ip.get(5);
        float mean = f32.get(ip.get(6) + row);
        float r = f32.get(ip.get(7) + row);
        float g = 0f;
        float gx = 0f;
        for (int p = l; p < n; p += 128) {
            float gi = f32.get(dy + p) * KernelMath.load(f32, h16, k, type, w + p);
            g += gi;
            gx += gi * ((f32.get(x + p) - mean) * r);
        }
        sumG[l] = g;
        sumGx[l] = gx;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                sumG[l] = sumG[l] + sumG[l + stride];
                sumGx[l] = sumGx[l] + sumGx[l + stride];
            }
            c.localBarrier();
        }
        float meanG = sumG[0] / n;
        float meanGx = sumGx[0] / n;
        int dx = ip.get(8) + row * n;
        for (int p = l; p < n; p += 128) {
            float gi = f32.get(dy + p) * KernelMath.load(f32, h16, k, type, w + p);
            float xhat = (f32.get(x + p) - mean) * r;
            f32.set(dx + p, f32.get(dx + p) + r * (gi - meanG - xhat * meanGx));
        }
    }

    /**
     * Column sums over rows for the weight and bias gradients: {@code dw[j] += Σ_i dy·x̂} (RMSNorm:
     * {@code x̂ = x·r}; LayerNorm: {@code (x − mean)·r}) and, for LayerNorm, {@code db[j] += Σ_i dy}. Parameters:
     * rows, n, dy, x, mean (-1 for RMSNorm), rstd, dw (or -1), db (or -1).
     */
    static void columnsKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                              IntArray ip, FloatArray fp) {
        int j = c.globalIdx;
        int rows = ip.get(0);
        int n = ip.get(1);
        if (j < n) {
            int dy = ip.get(2);
            int x = ip.get(3);
            int meanOff = ip.get(4);
            int rstd = ip.get(5);
            float tw = 0f;
            float tb = 0f;
            for (int i0 = 0; i0 < rows; i0 += 32) {
                float bw = 0f;
                float bb = 0f;
                int end = i0 + 32 < rows ? i0 + 32 : rows;
                for (int i = i0; i < end; i++) {
                    float g = f32.get(dy + i * n + j);
                    float centred = meanOff >= 0 ? f32.get(x + i * n + j) - f32.get(meanOff + i) : f32.get(x + i * n + j);
                    bw += g * (centred * f32.get(rstd + i));
                    bb += g;
                }
                tw += bw;
                tb += bb;
            }
            if (ip.get(6) >= 0) {
                int at = ip.get(6) + j;
                f32.set(at, f32.get(at) + tw);
            }
            if (ip.get(7) >= 0) {
                int at = ip.get(7) + j;
                f32.set(at, f32.get(at) + tb);
            }
        }
    }

    // ------------------------------------------------------------------ host side

    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y, Tensor rstd) {
        DeviceTensor xt = TornadoBackend.f32(x, "rmsNorm input");
        if (xt.rows() == 0) {
            return;
        }
        DeviceTensor yt = sameShape(xt, y, "rmsNorm output");
        DeviceTensor wt = weightOf(weight, xt.cols(), "rmsNorm weight");
        DeviceTensor rt = rstd == null ? null : stat(rstd, xt.rows(), "rmsNorm rstd");
        device.params(xt.rows(), xt.cols(), xt.offset(), wt.offset(), wt.weightType(), yt.offset(),
                rt == null ? -1 : rt.offset());
        device.floatParams(eps);
        device.run(rmsForward, (long) xt.rows() * Device.WG);
    }

    public void rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dweight) {
        DeviceTensor xt = TornadoBackend.f32(x, "rmsNorm input");
        if (xt.rows() == 0) {
            return;
        }
        DeviceTensor dyt = sameShape(xt, dy, "rmsNorm output gradient");
        DeviceTensor wt = weightOf(weight, xt.cols(), "rmsNorm weight");
        DeviceTensor rt = stat(required(rstd, "rstd"), xt.rows(), "rmsNorm rstd");
        if (dx != null) {
            DeviceTensor dxt = sameShape(xt, dx, "rmsNorm input gradient");
            device.params(xt.rows(), xt.cols(), dyt.offset(), xt.offset(), wt.offset(), wt.weightType(), rt.offset(),
                    dxt.offset());
            device.run(rmsDx, (long) xt.rows() * Device.WG);
        }
        if (dweight != null) {
            DeviceTensor dwt = stat(dweight, xt.cols(), "rmsNorm weight gradient");
            device.params(xt.rows(), xt.cols(), dyt.offset(), xt.offset(), -1, rt.offset(), dwt.offset(), -1);
            device.run(columnSums, xt.cols());
        }
    }

    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd) {
        DeviceTensor xt = TornadoBackend.f32(x, "layerNorm input");
        if (xt.rows() == 0) {
            return;
        }
        DeviceTensor yt = sameShape(xt, y, "layerNorm output");
        DeviceTensor wt = weightOf(weight, xt.cols(), "layerNorm weight");
        DeviceTensor bt = bias == null ? null : weightOf(bias, xt.cols(), "layerNorm bias");
        DeviceTensor mt = mean == null ? null : stat(mean, xt.rows(), "layerNorm mean");
        DeviceTensor rt = rstd == null ? null : stat(rstd, xt.rows(), "layerNorm rstd");
        device.params(xt.rows(), xt.cols(), xt.offset(), wt.offset(), wt.weightType(), bt == null ? -1 : bt.offset(),
                bt == null ? 0 : bt.weightType(), yt.offset(), mt == null ? -1 : mt.offset(),
                rt == null ? -1 : rt.offset());
        device.floatParams(eps);
        device.run(layerForward, (long) xt.rows() * Device.WG);
    }

    public void layerNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dx, Tensor dweight,
                           Tensor dbias) {
        DeviceTensor xt = TornadoBackend.f32(x, "layerNorm input");
        if (xt.rows() == 0) {
            return;
        }
        DeviceTensor dyt = sameShape(xt, dy, "layerNorm output gradient");
        DeviceTensor wt = weightOf(weight, xt.cols(), "layerNorm weight");
        DeviceTensor mt = stat(required(mean, "mean"), xt.rows(), "layerNorm mean");
        DeviceTensor rt = stat(required(rstd, "rstd"), xt.rows(), "layerNorm rstd");
        if (dx != null) {
            DeviceTensor dxt = sameShape(xt, dx, "layerNorm input gradient");
            device.params(xt.rows(), xt.cols(), dyt.offset(), xt.offset(), wt.offset(), wt.weightType(), mt.offset(),
                    rt.offset(), dxt.offset());
            device.run(layerDx, (long) xt.rows() * Device.WG);
        }
        if (dweight != null || dbias != null) {
            DeviceTensor dwt = dweight == null ? null : stat(dweight, xt.cols(), "layerNorm weight gradient");
            DeviceTensor dbt = dbias == null ? null : stat(dbias, xt.cols(), "layerNorm bias gradient");
            device.params(xt.rows(), xt.cols(), dyt.offset(), xt.offset(), mt.offset(), rt.offset(),
                    dwt == null ? -1 : dwt.offset(), dbt == null ? -1 : dbt.offset());
            device.run(columnSums, xt.cols());
        }
    }

    private static DeviceTensor sameShape(DeviceTensor x, Tensor t, String what) {
        DeviceTensor d = TornadoBackend.f32(t, what);
        if (d.numel() != x.numel()) {
            throw new IllegalArgumentException(what + " " + d.shape() + " does not match the input " + x.shape());
        }
        return d;
    }

    private static DeviceTensor weightOf(Tensor t, int n, String what) {
        DeviceTensor d = TornadoBackend.of(t);
        if (d.numel() != n) {
            throw new IllegalArgumentException(what + " " + d.shape() + " does not match " + n + " columns");
        }
        d.weightType();
        return d;
    }

    private static DeviceTensor stat(Tensor t, int n, String what) {
        DeviceTensor d = TornadoBackend.f32(t, what);
        if (d.numel() != n) {
            throw new IllegalArgumentException(what + " must have " + n + " elements, got " + d.shape());
        }
        return d;
    }

    private static Tensor required(Tensor t, String what) {
        if (t == null) {
            throw new IllegalArgumentException("the backward pass needs the saved " + what + " from the forward pass");
        }
        return t;
    }
}
