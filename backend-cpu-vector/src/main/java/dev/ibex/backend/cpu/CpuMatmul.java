package dev.ibex.backend.cpu;

import dev.ibex.backend.cpu.GemmPacking.Operand;
import dev.ibex.spi.backend.MatmulKernels;
import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matmul kernels of the CPU backend: shape checks and the choice of algorithm.
 * <ul>
 *   <li>{@code linear} with at most {@link Gemv#MAX_ROWS} rows (decode) streams the weight once: {@link Gemv}.
 *   <li>Everything else is one packed GEMM ({@link Gemm}) over strided views: {@code x·Wᵀ} packs W's rows as
 *       B's columns, {@code dy·W} reads W as it is, {@code dyᵀ·x} reads dy by columns.
 *   <li>Quantized weights in the SPI's well-known layouts (NF4/FP4, LLM.int8) take the fused kernels of
 *       {@link QuantMatmul}; other formats go through the format's reference product (logged once per format).
 * </ul>
 */
final class CpuMatmul implements MatmulKernels {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final System.Logger LOG = System.getLogger(CpuMatmul.class.getName());
    private static final Set<String> REPORTED_FORMATS = ConcurrentHashMap.newKeySet();

    private final WorkerPool pool;
    private final Gemm gemm;
    private final Gemv gemv;
    private final QuantMatmul quant;

    CpuMatmul(WorkerPool pool) {
        this.pool = pool;
        this.gemm = new Gemm(pool);
        this.gemv = new Gemv(pool);
        this.quant = new QuantMatmul(pool, gemm);
    }

    public void linear(Tensor x, Tensor w, Tensor bias, Tensor y, boolean accumulate) {
        CpuTensor xt = CpuTensor.f32(x, "linear input");
        CpuTensor yt = CpuTensor.f32(y, "linear output");
        int m = xt.rows();
        int k = xt.cols();
        int n = w.shape().rank() == 2 ? Math.toIntExact(w.shape().dim(0)) : -1;
        checkWeight(w, n, k, "linear", x);
        check(yt.rows() == m && yt.cols() == n, "linear output must be [" + m + ", " + n + "], got " + yt.shape());
        MemorySegment b = null;
        if (bias != null) {
            CpuTensor bt = CpuTensor.f32(bias, "linear bias");
            check(bt.numel() == n, "linear bias must have " + n + " elements, got " + bt.shape());
            b = bt.data();
        }
        if (w instanceof CpuQuantTensor q && q.rows() != null) {
            quant.linear(q.rows(), xt.data(), m, b, yt.data(), accumulate);
            return;
        }
        if (w instanceof QuantTensor q) {
            quantLinear(q.source(), xt, m, b, yt, accumulate);
            return;
        }
        CpuTensor wt = CpuTensor.of(w);
        if (m <= Gemv.MAX_ROWS) {
            gemv.multiply(m, n, k, xt.data(), wt.data(), wt.dtype(), yt.data(), b, accumulate);
        } else {
            gemm.multiply(m, n, k, new Operand(xt.data(), DType.F32, k, 1), new Operand(wt.data(), wt.dtype(), 1, k),
                    yt.data(), n, b, accumulate);
        }
    }

    public void linearBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        CpuTensor dyt = CpuTensor.f32(dy, "output gradient");
        CpuTensor dxt = CpuTensor.f32(dx, "input gradient");
        int m = dyt.rows();
        int n = dyt.cols();
        int k = dxt.cols();
        checkWeight(w, n, k, "linearBackwardInput", dy);
        check(dxt.rows() == m, "input gradient must be [" + m + ", " + k + "], got " + dxt.shape());
        if (w instanceof CpuQuantTensor q && q.rows() != null) {
            quant.linearBackwardInput(q.rows(), dyt.data(), m, dxt.data());
            return;
        }
        if (w instanceof QuantTensor q) {
            reportFallback(q.source());
            float[] dyf = dyt.data().toArray(ValueLayout.JAVA_FLOAT);
            float[] dxf = dxt.data().toArray(ValueLayout.JAVA_FLOAT);
            q.source().referenceLinearBackwardInput(dyf, m, dxf);
            MemorySegment.copy(dxf, 0, dxt.data(), F32, 0, dxf.length);
            return;
        }
        CpuTensor wt = CpuTensor.of(w);
        gemm.multiply(m, k, n, new Operand(dyt.data(), DType.F32, n, 1), new Operand(wt.data(), wt.dtype(), k, 1),
                dxt.data(), k, null, true);
    }

    public void linearBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        CpuTensor dyt = CpuTensor.f32(dy, "output gradient");
        CpuTensor xt = CpuTensor.f32(x, "linear input");
        CpuTensor dwt = CpuTensor.f32(dw, "weight gradient");
        int m = dyt.rows();
        int n = dyt.cols();
        int k = xt.cols();
        check(xt.rows() == m, "input has " + xt.rows() + " rows but the output gradient has " + m);
        check(dwt.rows() == n && dwt.cols() == k, "weight gradient must be [" + n + ", " + k + "], got " + dwt.shape());
        gemm.multiply(n, k, m, new Operand(dyt.data(), DType.F32, 1, n), new Operand(xt.data(), DType.F32, k, 1),
                dwt.data(), k, null, true);
    }

    /** Column sums: threads take column ranges, each summing its columns down all rows in vector registers. */
    public void sumRows(Tensor x, Tensor out) {
        CpuTensor xt = CpuTensor.f32(x, "sumRows input");
        CpuTensor ot = CpuTensor.f32(out, "sumRows output");
        int m = xt.rows();
        int n = xt.cols();
        check(ot.numel() == n, "sumRows output must have " + n + " elements, got " + ot.shape());
        MemorySegment src = xt.data();
        MemorySegment dst = ot.data();
        int l = F.length();
        int grain = Math.max(l, (1 << 16) / Math.max(1, m));
        pool.range((n + l - 1) / l, grain / l, (from, to) -> {
            int j1 = Math.min(n, to * l);
            int j = from * l;
            for (; j + l <= j1; j += l) {
                FloatVector sum = FloatVector.zero(F);
                for (int i = 0; i < m; i++) {
                    sum = sum.add(FloatVector.fromMemorySegment(F, src, 4L * ((long) i * n + j), ByteOrder.LITTLE_ENDIAN));
                }
                sum.add(FloatVector.fromMemorySegment(F, dst, 4L * j, ByteOrder.LITTLE_ENDIAN))
                        .intoMemorySegment(dst, 4L * j, ByteOrder.LITTLE_ENDIAN);
            }
            for (; j < j1; j++) {
                float sum = 0;
                for (int i = 0; i < m; i++) {
                    sum += src.get(F32, 4L * ((long) i * n + j));
                }
                dst.set(F32, 4L * j, dst.get(F32, 4L * j) + sum);
            }
        });
    }

    // ------------------------------------------------------------------ quantized fallback

    private void quantLinear(QuantizedTensor q, CpuTensor x, int m, MemorySegment bias, CpuTensor y,
                             boolean accumulate) {
        reportFallback(q);
        float[] xf = x.data().toArray(ValueLayout.JAVA_FLOAT);
        float[] yf = accumulate ? y.data().toArray(ValueLayout.JAVA_FLOAT) : new float[Math.toIntExact(y.numel())];
        q.referenceLinear(xf, m, yf, accumulate);
        if (bias != null) {
            int n = y.cols();
            for (int i = 0; i < yf.length; i++) {
                yf[i] += bias.get(F32, 4L * (i % n));
            }
        }
        MemorySegment.copy(yf, 0, y.data(), F32, 0, yf.length);
    }

    /** The formats that took the reference product so far (for tests: a known layout must never be here). */
    static Set<String> reportedFallbacks() {
        return Set.copyOf(REPORTED_FORMATS);
    }

    /** Logs, once per format and process, that {@code q} takes the slow path; true when this call logged. */
    static boolean reportFallback(QuantizedTensor q) {
        if (!REPORTED_FORMATS.add(q.format())) {
            return false;
        }
        LOG.log(System.Logger.Level.INFO, "The CPU backend has no fused kernel for quantized format \"{0}\" yet: "
                + "its matmuls dequantize row by row through the reference product of the format (slow).", q.format());
        return true;
    }

    // ------------------------------------------------------------------ checks

    private static void checkWeight(Tensor w, int n, int k, String op, Tensor input) {
        check(w.shape().rank() == 2 && w.shape().dim(0) == n && w.shape().dim(1) == k,
                op + ": weight must be [" + n + ", " + k + "] for input " + input.shape() + ", got " + w.shape());
        check(w instanceof QuantTensor || w.dtype().isDenseFloat(),
                op + ": weight must be F32, F16, BF16 or quantized, got " + w.dtype());
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
