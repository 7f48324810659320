package dev.ibex.backend.tornado;

import dev.ibex.spi.tensor.DType;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Products with weights in the SPI's two well-known quantized layouts, on the device ({@link DeviceQuantTensor}
 * says how they are stored): {@code y (+)= x·Ŵᵀ + bias} and {@code dx += dy·Ŵ}. The kernels decode each weight from
 * its packed bytes as they read it ({@link #weight}), with the layout's own float32 operations in its order, so Ŵ
 * is exactly {@link dev.ibex.spi.quant.QuantizedTensor#dequantizeRows}'s value; it is never materialised.
 * <ul>
 *   <li>Decode-sized inputs (at most {@link DeviceMatmul#GEMV_ROWS} rows): one work-group per weight row. Each
 *       work-item decodes every {@link Device#WG}th weight of the row once and multiplies it into every input row,
 *       with a partial sum per input row in local memory, then one tree per input row: the weight is read once
 *       per call, not once per input row.
 *   <li>Larger inputs and the input gradient: {@link DeviceMatmul}'s 16×16 tiled product, the weight tile decoded
 *       while it is staged in local memory, read as {@code Ŵ[j, p]} for the forward product and {@code Ŵ[p, j]}
 *       for the gradient.
 * </ul>
 * LLM.int8's treatment of the input runs on the device first, as the CPU backend's {@code Int8Rows} does it: a pass
 * over the columns marks the outlier columns (any {@code |x| ≥ threshold}), then one work-group per row finds the
 * row's scale {@code s} (its largest magnitude below the threshold) and writes into scratch space what the layout
 * multiplies Ŵ by: outlier columns as they are, every other element as {@code rint(x·(127/s))·(s/127)}. Its product
 * with Ŵ equals the layout's integer product {@code Σ q·CB · s·SCB/127²} up to float round-off (the codes are small
 * integers); the codes themselves are computed with the layout's float32 operations, so they are the reference's
 * codes wherever division is correctly rounded (it is on PoCL; OpenCL allows 2.5 ulp).
 */
final class DeviceQuantMatmul {
    /** {@code ip[L_FORMAT]} values. */
    static final int BLOCKWISE_4BIT = 0;
    static final int ROWWISE_INT8 = 1;

    // The weight's layout, in the same parameter slots for both products (the products' own come first).
    static final int L_FORMAT = 16;
    static final int L_COLS = 17;
    /** 16-bit heap offset of the packed codes. */
    static final int L_CODES = 18;
    /** F32 offset of the absmax values or row scales; 16-bit offset of the absmax codes with double quantization. */
    static final int L_SCALES = 19;
    static final int L_CODEBOOK = 20;
    static final int L_BLOCK = 21;
    static final int L_DOUBLE_QUANT = 22;
    static final int L_NESTED_CODEBOOK = 23;
    static final int L_NESTED_ABSMAX = 24;
    static final int L_NESTED_BLOCK = 25;
    // fp[0]: minus the double quantization offset (see weight).

    private final Device device;
    private final DeviceMemory memory;
    private final Device.Launch gemv;
    private final Device.Launch gemm;
    private final Device.Launch outliers;
    private final Device.Launch int8Input;

    DeviceQuantMatmul(Device device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
        this.gemv = device.kernel1d("quantGemv", DeviceQuantMatmul::gemvKernel);
        this.gemm = device.kernel2d("quantGemm", DeviceQuantMatmul::gemmKernel);
        this.outliers = device.kernel1d("int8Outliers", DeviceQuantMatmul::outliersKernel);
        this.int8Input = device.kernel1d("int8Input", DeviceQuantMatmul::int8InputKernel);
    }

    // ------------------------------------------------------------------ kernels

    /**
     * {@code Ŵ[r, c]}. 4-bit: element {@code e = r·cols + c} is nibble {@code e} of the packed bytes (the even
     * element of a byte in its high nibble), byte {@code e/2} the low half of 16-bit element {@code e/4} when
     * {@code e/2} is even; {@code Ŵ = codebook[code]·absmax(e / blockSize)}. With double quantization
     * {@code absmax(b) = nestedCodebook[codes[b]]·nestedAbsmax[b / nestedBlock] + offset}, written as a difference
     * with the negated offset: TornadoVM's FMA phase would fuse {@code a·b + c} into one rounding, and the layout
     * rounds the product first. LLM.int8: {@code Ŵ = CB[r, c]·SCB[r]/127}, the product, then the division.
     */
    static float weight(FloatArray f32, ShortArray h16, int format, int cols, int codes, int scales, int codebook,
                        int blockSize, int doubleQuant, int nestedCodebook, int nestedAbsmax, int nestedBlock,
                        float negOffset, int r, int c) {
        int e = r * cols + c;
        float w;
        if (format == ROWWISE_INT8) {
            int pair = h16.get(codes + (e >> 1)); // sign-extended: its high byte is >> 8, its low byte << 24 >> 24
            int code = (e & 1) == 0 ? (pair << 24) >> 24 : pair >> 8;
            w = code * f32.get(scales + r) / 127f;
        } else {
            int bits = h16.get(codes + (e >> 2)) & 0xffff;
            int code = (bits >> (((e >> 1) & 1) * 8 + ((e & 1) == 0 ? 4 : 0))) & 15;
            int b = e / blockSize;
            float absmax;
            if (doubleQuant != 0) {
                int q = (h16.get(scales + (b >> 1)) >> ((b & 1) * 8)) & 0xff;
                absmax = f32.get(nestedCodebook + q) * f32.get(nestedAbsmax + b / nestedBlock) - negOffset;
            } else {
                absmax = f32.get(scales + b);
            }
            w = f32.get(codebook + code) * absmax;
        }
        return w;
    }

    /**
     * {@code y[i, j] (+)= x[i, :]·Ŵ[j, :] + bias[j]} for all {@code M ≤ GEMV_ROWS} rows of x, work-group {@code j}
     * for weight row {@code j}. Parameters: M, N, K; x offset; y offset; bias offset or -1; accumulate flag; the
     * layout from {@link #L_FORMAT}.
     */
    static void gemvKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                           FloatArray fp) {
        float[] partial = c.allocateFloatLocalArray(DeviceMatmul.GEMV_ROWS * 128);
        int m = ip.get(0);
        int n = ip.get(1);
        int kk = ip.get(2);
        int x = ip.get(3);
        int format = ip.get(L_FORMAT);
        int cols = ip.get(L_COLS);
        int codes = ip.get(L_CODES);
        int scales = ip.get(L_SCALES);
        int codebook = ip.get(L_CODEBOOK);
        int blockSize = ip.get(L_BLOCK);
        int doubleQuant = ip.get(L_DOUBLE_QUANT);
        int nestedCodebook = ip.get(L_NESTED_CODEBOOK);
        int nestedAbsmax = ip.get(L_NESTED_ABSMAX);
        int nestedBlock = ip.get(L_NESTED_BLOCK);
        float negOffset = fp.get(0);
        int j = c.groupIdx;
        int l = c.localIdx;
        for (int i = 0; i < m; i++) {
            partial[i * 128 + l] = 0f;
        }
        for (int p = l; p < kk; p += 128) {
            float w = weight(f32, h16, format, cols, codes, scales, codebook, blockSize, doubleQuant, nestedCodebook,
                    nestedAbsmax, nestedBlock, negOffset, j, p);
            for (int i = 0; i < m; i++) {
                partial[i * 128 + l] = partial[i * 128 + l] + f32.get(x + i * kk + p) * w;
            }
        }
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                for (int i = 0; i < m; i++) {
                    partial[i * 128 + l] = partial[i * 128 + l] + partial[i * 128 + l + stride];
                }
            }
            c.localBarrier();
        }
        if (l < m) {
            int biasOff = ip.get(5);
            float r = biasOff >= 0 ? partial[l * 128] + f32.get(biasOff + j) : partial[l * 128];
            int at = ip.get(4) + l * n + j;
            f32.set(at, ip.get(6) != 0 ? f32.get(at) + r : r);
        }
    }

    /**
     * {@code C[i, j] = (acc ? C[i, j] : 0) + bias[j] + Σ_p A[i, p]·B[p, j]} on 16×16 tiles in local memory, as
     * {@link DeviceMatmul#gemmKernel}, with {@code B[p, j] = Ŵ[j, p]} (transposed) or {@code Ŵ[p, j]}. Parameters:
     * M, N, K; A offset, row stride, column stride; transposed flag; C offset, row stride; bias offset or -1;
     * accumulate flag; the layout from {@link #L_FORMAT}. Work-item (x, y) computes C[y, x].
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
        int transposed = ip.get(6);
        int format = ip.get(L_FORMAT);
        int cols = ip.get(L_COLS);
        int codes = ip.get(L_CODES);
        int scales = ip.get(L_SCALES);
        int codebook = ip.get(L_CODEBOOK);
        int blockSize = ip.get(L_BLOCK);
        int doubleQuant = ip.get(L_DOUBLE_QUANT);
        int nestedCodebook = ip.get(L_NESTED_CODEBOOK);
        int nestedAbsmax = ip.get(L_NESTED_ABSMAX);
        int nestedBlock = ip.get(L_NESTED_BLOCK);
        float negOffset = fp.get(0);
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
                int wr = transposed != 0 ? j : pb;
                int wc = transposed != 0 ? pb : j;
                bv = weight(f32, h16, format, cols, codes, scales, codebook, blockSize, doubleQuant, nestedCodebook,
                        nestedAbsmax, nestedBlock, negOffset, wr, wc);
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
            int biasOff = ip.get(9);
            float r = biasOff >= 0 ? sum + f32.get(biasOff + j) : sum;
            int at = ip.get(7) + i * ip.get(8) + j;
            f32.set(at, ip.get(10) != 0 ? f32.get(at) + r : r);
        }
    }

    /**
     * LLM.int8's outlier columns: {@code mask[c] = 1} when any of the M rows has {@code |x[i, c]| ≥ threshold},
     * else 0; one work-item per column. Parameters: M, K, x offset, mask offset; the threshold in {@code fp[0]}.
     */
    static void outliersKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                               IntArray ip, FloatArray fp) {
        int col = c.globalIdx;
        int kk = ip.get(1);
        if (col < kk) {
            int m = ip.get(0);
            int x = ip.get(2) + col;
            float threshold = fp.get(0);
            float flag = 0f;
            for (int i = 0; i < m; i++) {
                if (TornadoMath.abs(f32.get(x + i * kk)) >= threshold) {
                    flag = 1f;
                }
            }
            f32.set(ip.get(3) + col, flag);
        }
    }

    /**
     * What LLM.int8 multiplies Ŵ by, row by row (work-group {@code i} for row {@code i}): {@code s} = the row's
     * largest {@code |x|} below the threshold (of all of them when the threshold is 0), then outlier columns as
     * they are and the others as {@code rint(x·(127/s))·(s/127)} (0 when {@code s = 0}), with {@code rint} rounding
     * ties to even ({@link #roundHalfEven}). Parameters: K, x offset, output offset, outlier mask offset or -1; the
     * threshold in {@code fp[0]}.
     */
    static void int8InputKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                                IntArray ip, FloatArray fp) {
        float[] buf = c.allocateFloatLocalArray(128);
        int row = c.groupIdx;
        int l = c.localIdx;
        int kk = ip.get(0);
        int x = ip.get(1) + row * kk;
        int mask = ip.get(3);
        float threshold = fp.get(0);
        float s = 0f;
        for (int p = l; p < kk; p += 128) {
            float a = TornadoMath.abs(f32.get(x + p));
            float kept = threshold <= 0f ? a : (a < threshold ? a : 0f);
            s = TornadoMath.max(s, kept);
        }
        buf[l] = s;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                buf[l] = TornadoMath.max(buf[l], buf[l + stride]);
            }
            c.localBarrier();
        }
        float absmax = buf[0];
        float quantize = absmax == 0f ? 0f : 127f / absmax;
        float dequantize = absmax / 127f;
        int out = ip.get(2) + row * kk;
        for (int p = l; p < kk; p += 128) {
            float v = f32.get(x + p);
            int outlier = 0;
            if (mask >= 0) {
                if (f32.get(mask + p) != 0f) {
                    outlier = 1;
                }
            }
            float r = v;
            if (outlier == 0) {
                r = roundHalfEven(v * quantize) * dequantize;
            }
            f32.set(out + p, r);
        }
    }

    /**
     * {@link Math#rint} for the codes' range (|v| well below 2²³, where {@code v − floor(v)} is exact): TornadoVM
     * offers {@code floor} but no {@code rint}.
     */
    static float roundHalfEven(float v) {
        float f = TornadoMath.floor(v);
        float d = v - f;
        int fi = (int) f;
        int r = d > 0.5f ? fi + 1 : (d < 0.5f ? fi : fi + (fi & 1));
        return r;
    }

    // ------------------------------------------------------------------ host side

    /** {@code y (+)= x·Ŵᵀ + bias}: x [M, K], y [M, N], bias [N] or null; w {@link DeviceQuantTensor#onDevice}. */
    void linear(DeviceQuantTensor w, DeviceTensor x, DeviceTensor bias, DeviceTensor y, boolean accumulate) {
        int m = x.rows();
        int k = x.cols();
        int n = y.cols();
        if (m == 0 || n == 0) {
            return;
        }
        DeviceTensor prepared = w.rowwise() != null ? int8Input(w.rowwise(), x, m, k) : null;
        try {
            int input = prepared != null ? prepared.offset() : x.offset();
            int biasOff = bias == null ? -1 : bias.offset();
            if (m <= DeviceMatmul.GEMV_ROWS) {
                device.params(m, n, k, input, y.offset(), biasOff, accumulate ? 1 : 0);
                layout(w);
                device.run(gemv, (long) n * Device.WG);
            } else {
                // A = x [M, K]; B[p, j] = Ŵ[j, p].
                device.params(m, n, k, input, k, 1, 1, y.offset(), n, biasOff, accumulate ? 1 : 0);
                layout(w);
                device.run2d(gemm, n, m);
            }
        } finally {
            if (prepared != null) {
                memory.freeScratch(prepared);
            }
        }
    }

    /** {@code dx += dy·Ŵ}: dy [M, N], dx [M, K]. Ŵ itself, as bitsandbytes' backward uses for LLM.int8 too. */
    void linearBackwardInput(DeviceQuantTensor w, DeviceTensor dy, DeviceTensor dx) {
        int m = dy.rows();
        int n = dy.cols();
        int k = dx.cols();
        if (m == 0 || k == 0) {
            return;
        }
        // A = dy [M, N]; B[p, j] = Ŵ[p, j].
        device.params(m, k, n, dy.offset(), n, 1, 0, dx.offset(), k, -1, 1);
        layout(w);
        device.run2d(gemm, k, m);
    }

    /** LLM.int8's input for the product (see the class comment), in scratch space the caller frees. */
    private DeviceTensor int8Input(DeviceQuantTensor.Rowwise w, DeviceTensor x, int m, int k) {
        DeviceTensor out = memory.scratch(DType.F32, (long) m * k);
        DeviceTensor mask = null;
        try {
            if (w.threshold() > 0f) {
                mask = memory.scratch(DType.F32, k);
                device.params(m, k, x.offset(), mask.offset());
                device.floatParams(w.threshold());
                device.run(outliers, k);
            }
            device.params(k, x.offset(), out.offset(), mask == null ? -1 : mask.offset());
            device.floatParams(w.threshold());
            device.run(int8Input, (long) m * Device.WG);
        } catch (RuntimeException e) {
            memory.freeScratch(out);
            throw e;
        } finally {
            if (mask != null) {
                memory.freeScratch(mask);
            }
        }
        return out;
    }

    /** The weight's layout into slots {@link #L_FORMAT}.. and {@code fp[0]}. */
    private void layout(DeviceQuantTensor w) {
        device.param(L_COLS, w.shape().intDim(1));
        DeviceQuantTensor.Blockwise b = w.blockwise();
        if (b != null) {
            device.param(L_FORMAT, BLOCKWISE_4BIT);
            device.param(L_CODES, b.packed().offset());
            device.param(L_SCALES, b.absmax().offset());
            device.param(L_CODEBOOK, b.codebook().offset());
            device.param(L_BLOCK, b.blockSize());
            device.param(L_DOUBLE_QUANT, b.doubleQuant() ? 1 : 0);
            device.param(L_NESTED_CODEBOOK, b.doubleQuant() ? b.nestedCodebook().offset() : 0);
            device.param(L_NESTED_ABSMAX, b.doubleQuant() ? b.nestedAbsmax().offset() : 0);
            device.param(L_NESTED_BLOCK, b.doubleQuant() ? b.nestedBlockSize() : 1);
            device.floatParams(-b.offset());
        } else {
            DeviceQuantTensor.Rowwise r = w.rowwise();
            device.param(L_FORMAT, ROWWISE_INT8);
            device.param(L_CODES, r.codes().offset());
            device.param(L_SCALES, r.rowScales().offset());
            device.param(L_CODEBOOK, 0);
            device.param(L_BLOCK, 1);
            device.param(L_DOUBLE_QUANT, 0);
            device.param(L_NESTED_CODEBOOK, 0);
            device.param(L_NESTED_ABSMAX, 0);
            device.param(L_NESTED_BLOCK, 1);
            device.floatParams(0f);
        }
    }
}
