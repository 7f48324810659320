package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.MatmulKernels;
import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Matrix products. Two kernels: a tiled product {@code C (+)= A·B + bias} over operands given by offset and row
 * and column strides, which serves the forward product and both gradients (the operands are read transposed in
 * place, never copied); and a decode-sized product for at most {@link #GEMV_ROWS} rows, one work-group per output
 * that reads a weight row with consecutive work-items and reduces in local memory. F16 and BF16 weights are
 * decoded as they are read. Both accumulate in F32 in two levels (tiles of 16 terms, or {@link Device#WG} strided
 * partial sums, then their sum), which keeps long reductions within the conformance kit's F32 bound.
 *
 * <p>Quantized weights in the SPI's well-known layouts (NF4/FP4, LLM.int8) are multiplied on the device by
 * {@link DeviceQuantMatmul}, which decodes the packed bytes as it reads them. A quantized weight of any other format
 * stays on the host and takes the format's reference product there, with a round trip of the activations per call
 * (logged once per format).
 */
final class DeviceMatmul implements MatmulKernels {
    private static final System.Logger LOG = System.getLogger(DeviceMatmul.class.getName());
    private static final Set<String> REPORTED_FORMATS = ConcurrentHashMap.newKeySet();
    /** Products with at most this many rows take the per-output kernel. */
    static final int GEMV_ROWS = 8;

    private final Device device;
    private final DeviceMemory memory;
    private final Device.Launch gemm;
    private final Device.Launch gemv;
    private final Device.Launch sumRows;
    private final DeviceQuantMatmul quant;

    DeviceMatmul(Device device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
        this.gemm = device.kernel2d("gemm", DeviceMatmul::gemmKernel);
        this.gemv = device.kernel1d("gemv", DeviceMatmul::gemvKernel);
        this.sumRows = device.kernel1d("sumRows", DeviceMatmul::sumRowsKernel);
        this.quant = new DeviceQuantMatmul(device, memory);
    }

    // ------------------------------------------------------------------ kernels

    /**
     * {@code C[i, j] = (acc ? C[i, j] : 0) + bias[j] + Σ_p A[i, p]·B[p, j]} on 16×16 tiles staged in local memory.
     * Parameters: M, N, K; A offset, row stride, column stride (always F32); B offset, row stride, column stride,
     * type; C offset, row stride; bias offset or -1; accumulate flag. Work-item (x, y) computes C[y, x].
     */
    static void gemmKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                           FloatArray fp) {
        float[] as = c.allocateFloatLocalArray(256);
        float[] bs = c.allocateFloatLocalArray(256);
        int m = ip.get(0);
        int n = ip.get(1);
        int kk = ip.get(2);
        int aOff = ip.get(3);
        int aRs = ip.get(4);
        int aCs = ip.get(5);
        int bOff = ip.get(6);
        int bRs = ip.get(7);
        int bCs = ip.get(8);
        int bType = ip.get(9);
        int tx = c.localIdx;
        int ty = c.localIdy;
        int j = c.groupIdx * 16 + tx;
        int i = c.groupIdy * 16 + ty;
        float sum = 0f;
        for (int p0 = 0; p0 < kk; p0 += 16) {
            int pa = p0 + tx;
            float av = 0f;
            if (i < m && pa < kk) {
                av = f32.get(aOff + i * aRs + pa * aCs);
            }
            as[ty * 16 + tx] = av;
            int pb = p0 + ty;
            float bv = 0f;
            if (pb < kk && j < n) {
                bv = KernelMath.load(f32, h16, k, bType, bOff + pb * bRs + j * bCs);
            }
            bs[ty * 16 + tx] = bv;
            c.localBarrier();
            float part = 0f;
            for (int q = 0; q < 16; q++) {
                part += as[ty * 16 + q] * bs[q * 16 + tx];
            }
            sum += part;
            c.localBarrier();
        }
        if (i < m && j < n) {
            int biasOff = ip.get(12);
            float r = biasOff >= 0 ? sum + f32.get(biasOff + j) : sum;
            int at = ip.get(10) + i * ip.get(11) + j;
            f32.set(at, ip.get(13) != 0 ? f32.get(at) + r : r);
        }
    }

    /**
     * One work-group per output {@code y[i, j] (+)= x[i, :]·w[j, :] + bias[j]}: work-item {@code l} sums terms
     * {@code l, l + WG, ...}, then a tree in local memory. Parameters: M, N, K; x offset; w offset, type; y offset;
     * bias offset or -1; accumulate flag. Work-group {@code g} computes output {@code (g / N, g % N)}.
     */
    static void gemvKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                           FloatArray fp) {
        float[] partial = c.allocateFloatLocalArray(128);
        int n = ip.get(1);
        int kk = ip.get(2);
        int g = c.groupIdx;
        int l = c.localIdx;
        int i = g / n;
        int j = g - i * n;
        int x = ip.get(3) + i * kk;
        int w = ip.get(4) + j * kk;
        int type = ip.get(5);
        float s = 0f;
        for (int p = l; p < kk; p += 128) {
            s += f32.get(x + p) * KernelMath.load(f32, h16, k, type, w + p);
        }
        partial[l] = s;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                partial[l] = partial[l] + partial[l + stride];
            }
            c.localBarrier();
        }
        if (l == 0) {
            int biasOff = ip.get(7);
            float r = biasOff >= 0 ? partial[0] + f32.get(biasOff + j) : partial[0];
            int at = ip.get(6) + g;
            f32.set(at, ip.get(8) != 0 ? f32.get(at) + r : r);
        }
    }

    /** {@code out[j] += Σ_i x[i, j]}: one work-item per column, rows summed in blocks of 32. M, N, x, out offsets. */
    static void sumRowsKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                              IntArray ip, FloatArray fp) {
        int j = c.globalIdx;
        int m = ip.get(0);
        int n = ip.get(1);
        if (j < n) {
            int x = ip.get(2);
            float total = 0f;
            for (int i0 = 0; i0 < m; i0 += 32) {
                float block = 0f;
                int end = i0 + 32 < m ? i0 + 32 : m;
                for (int i = i0; i < end; i++) {
                    block += f32.get(x + i * n + j);
                }
                total += block;
            }
            int at = ip.get(3) + j;
            f32.set(at, f32.get(at) + total);
        }
    }

    // ------------------------------------------------------------------ host side

    public void linear(Tensor x, Tensor w, Tensor bias, Tensor y, boolean accumulate) {
        DeviceTensor xt = TornadoBackend.f32(x, "linear input");
        DeviceTensor yt = TornadoBackend.f32(y, "linear output");
        int m = xt.rows();
        int k = xt.cols();
        int n = w.shape().rank() == 2 ? Math.toIntExact(w.shape().dim(0)) : -1;
        checkWeight(w, n, k, "linear", x);
        check(yt.rows() == m && yt.cols() == n, "linear output must be [" + m + ", " + n + "], got " + yt.shape());
        DeviceTensor bt = null;
        if (bias != null) {
            bt = TornadoBackend.f32(bias, "linear bias");
            check(bt.numel() == n, "linear bias must have " + n + " elements, got " + bt.shape());
        }
        if (w instanceof DeviceQuantTensor q && q.onDevice()) {
            quant.linear(q, xt, bt, yt, accumulate);
            return;
        }
        if (w instanceof QuantTensor q) {
            quantLinear(q.source(), xt, m, bt, yt, accumulate);
            return;
        }
        DeviceTensor wt = TornadoBackend.of(w);
        if (m == 0 || n == 0) {
            return;
        }
        if (m <= GEMV_ROWS) {
            device.params(m, n, k, xt.offset(), wt.offset(), wt.weightType(), yt.offset(),
                    bt == null ? -1 : bt.offset(), accumulate ? 1 : 0);
            device.run(gemv, (long) m * n * Device.WG);
        } else {
            // A = x [M, K]; B[p, j] = w[j, p].
            product(m, n, k, xt.offset(), k, 1, wt.offset(), 1, k, wt.weightType(), yt.offset(), n,
                    bt == null ? -1 : bt.offset(), accumulate);
        }
    }

    public void linearBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        DeviceTensor dyt = TornadoBackend.f32(dy, "output gradient");
        DeviceTensor dxt = TornadoBackend.f32(dx, "input gradient");
        int m = dyt.rows();
        int n = dyt.cols();
        int k = dxt.cols();
        checkWeight(w, n, k, "linearBackwardInput", dy);
        check(dxt.rows() == m, "input gradient must be [" + m + ", " + k + "], got " + dxt.shape());
        if (w instanceof DeviceQuantTensor q && q.onDevice()) {
            quant.linearBackwardInput(q, dyt, dxt);
            return;
        }
        if (w instanceof QuantTensor q) {
            reportFallback(q.source());
            float[] dyf = memory.toFloatsOf(dyt);
            float[] dxf = memory.toFloatsOf(dxt);
            q.source().referenceLinearBackwardInput(dyf, m, dxf);
            memory.writeFloats(dxt, 0, dxf, 0, dxf.length);
            return;
        }
        DeviceTensor wt = TornadoBackend.of(w);
        // dx [M, K] += dy [M, N] · w [N, K].
        product(m, k, n, dyt.offset(), n, 1, wt.offset(), k, 1, wt.weightType(), dxt.offset(), k, -1, true);
    }

    public void linearBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        DeviceTensor dyt = TornadoBackend.f32(dy, "output gradient");
        DeviceTensor xt = TornadoBackend.f32(x, "linear input");
        DeviceTensor dwt = TornadoBackend.f32(dw, "weight gradient");
        int m = dyt.rows();
        int n = dyt.cols();
        int k = xt.cols();
        check(xt.rows() == m, "input has " + xt.rows() + " rows but the output gradient has " + m);
        check(dwt.rows() == n && dwt.cols() == k, "weight gradient must be [" + n + ", " + k + "], got " + dwt.shape());
        // dw [N, K] += dyᵀ [N, M] · x [M, K]: A[i, p] = dy[p, i].
        product(n, k, m, dyt.offset(), 1, n, xt.offset(), k, 1, KernelMath.T_F32, dwt.offset(), k, -1, true);
    }

    public void sumRows(Tensor x, Tensor out) {
        DeviceTensor xt = TornadoBackend.f32(x, "sumRows input");
        DeviceTensor ot = TornadoBackend.f32(out, "sumRows output");
        int m = xt.rows();
        int n = xt.cols();
        check(ot.numel() == n, "sumRows output must have " + n + " elements, got " + ot.shape());
        device.params(m, n, xt.offset(), ot.offset());
        device.run(sumRows, n);
    }

    private void product(int m, int n, int k, int aOff, int aRs, int aCs, int bOff, int bRs, int bCs, int bType,
                         int cOff, int ldc, int biasOff, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        device.params(m, n, k, aOff, aRs, aCs, bOff, bRs, bCs, bType, cOff, ldc, biasOff, accumulate ? 1 : 0);
        device.run2d(gemm, n, m);
    }

    // ------------------------------------------------------------------ quantized weights

    /**
     * A quantized weight the device kernels do not know stays on the host and its products run through the format's
     * reference product there: a round trip of x and y per call. Correct for every format, and slow.
     */
    private void quantLinear(QuantizedTensor q, DeviceTensor x, int m, DeviceTensor bias, DeviceTensor y,
                             boolean accumulate) {
        reportFallback(q);
        float[] xf = memory.toFloatsOf(x);
        float[] yf = accumulate ? memory.toFloatsOf(y) : new float[y.count()];
        q.referenceLinear(xf, m, yf, accumulate);
        if (bias != null) {
            float[] b = memory.toFloatsOf(bias);
            int n = y.cols();
            for (int i = 0; i < yf.length; i++) {
                yf[i] += b[i % n];
            }
        }
        memory.writeFloats(y, 0, yf, 0, yf.length);
    }

    private static void reportFallback(QuantizedTensor q) {
        if (REPORTED_FORMATS.add(q.format())) {
            // A MessageFormat pattern: an apostrophe would start a quoted section and vanish from the message.
            LOG.log(System.Logger.Level.INFO, "The tornado backend has no device kernel for quantized format \"{0}\":"
                    + " its matmuls run on the host through the reference product of the format (slow).", q.format());
        }
    }

    // ------------------------------------------------------------------ checks

    private static void checkWeight(Tensor w, int n, int k, String op, Tensor input) {
        check(w.shape().rank() == 2 && w.shape().dim(0) == n && w.shape().dim(1) == k,
                op + ": weight must be [" + n + ", " + k + "] for input " + input.shape() + ", got " + w.shape());
        check(w instanceof QuantTensor || w.dtype().isDenseFloat(),
                op + ": weight must be F32, F16, BF16 or quantized, got " + w.dtype());
        if (!(w instanceof QuantTensor) && w.dtype() != DType.F32) {
            TornadoBackend.of(w);
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
