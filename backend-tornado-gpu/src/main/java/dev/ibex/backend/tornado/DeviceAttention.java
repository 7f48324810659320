package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.AttentionKernels;
import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Scaled-dot-product attention (causal, sliding window, grouped key/value heads, key padding mask), forward and
 * backward, with the semantics of {@link dev.ibex.spi.backend.AttentionKernels}.
 *
 * <p>Forward: one work-group per query row {@code (b, h, t)}; its scores go to a scratch row in the F32 heap, the
 * maximum and the sum of exponentials are reduced in local memory, then each work-item produces output dimensions.
 * Rows are processed in chunks so the scratch stays under {@link #SCRATCH_FLOATS}. Backward: per batch element,
 * one kernel per query row recomputes the probabilities from the saved log-sum-exp, keeps them and the score
 * gradients in scratch, and accumulates {@code dq}; a second kernel, one work-item per key element, sums over the
 * query rows for {@code dk} and {@code dv}, so no two work-items ever add into the same element.
 *
 * <p>This is the straightforward formulation, not a fused flash kernel: it favours being right on every device.
 */
final class DeviceAttention implements AttentionKernels {
    /** Upper bound on forward scratch (scores of the rows in flight), in floats: 64 MiB. */
    static final long SCRATCH_FLOATS = 16L << 20;

    private final Device device;
    private final DeviceMemory memory;
    private final Device.Launch forward;
    private final Device.Launch backwardRows;
    private final Device.Launch backwardKeys;
    private DeviceTensor ones;

    DeviceAttention(Device device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
        this.forward = device.kernel1d("attention", DeviceAttention::forwardKernel);
        this.backwardRows = device.kernel1d("attentionRows", DeviceAttention::backwardRowsKernel);
        this.backwardKeys = device.kernel1d("attentionKeys", DeviceAttention::backwardKeysKernel);
    }

    // Parameter slots shared by the kernels.
    private static final int ROW_START = 0;
    private static final int Q_LEN = 3;
    private static final int KEY_LEN = 4;
    private static final int HEADS = 5;
    private static final int KV_HEADS = 6;
    private static final int HEAD_DIM = 7;
    private static final int WINDOW = 8;
    private static final int CAPACITY = 9;
    private static final int QUERY_START = 10;
    private static final int Q = 11;
    private static final int K = 12;
    private static final int V = 13;
    private static final int MASK = 14;
    private static final int OUT = 15;
    private static final int LSE = 16;
    private static final int SCRATCH = 17;
    private static final int SCRATCH_DS = 18;
    private static final int DOUT = 19;
    private static final int DQ = 20;
    private static final int DK = 21;
    private static final int DV = 22;
    private static final int BATCH_INDEX = 23;

    // ------------------------------------------------------------------ kernels

    /**
     * Whether query {@code t} of sequence {@code b} sees key {@code j}: causal, inside the window (the host passes a
     * huge window for none) and not masked (the host passes a mask of ones for none). Branch-free on purpose, with
     * {@code &} rather than {@code &&} and no optional arguments: TornadoVM 5.2's OpenCL generator miscompiles a
     * loop body whose short-circuit or flag tests jump straight to the end of the iteration (it falls through into
     * the next test with the advanced loop index, writing past the row). Every key's score is computed and the
     * invisible ones are replaced by −∞ with a select.
     */
    private static boolean visible(IntArray i32, IntArray ip, int b, int t, int j) {
        int i = ip.get(QUERY_START) + t;
        return (j <= i) & (j > i - ip.get(WINDOW)) & (i32.get(ip.get(MASK) + b * ip.get(CAPACITY) + j) != 0);
    }

    /** scale·q·k_j for query row (b, t, h) and key j. */
    private static float score(FloatArray f32, IntArray ip, FloatArray fp, int b, int t, int h, int j) {
        int headDim = ip.get(HEAD_DIM);
        int heads = ip.get(HEADS);
        int kvHeads = ip.get(KV_HEADS);
        int q = ip.get(Q) + ((b * ip.get(Q_LEN) + t) * heads + h) * headDim;
        int kv = h / (heads / kvHeads);
        int key = ip.get(K) + ((b * ip.get(CAPACITY) + j) * kvHeads + kv) * headDim;
        float dot = 0f;
        for (int d = 0; d < headDim; d++) {
            dot += f32.get(q + d) * f32.get(key + d);
        }
        return fp.get(0) * dot;
    }

    /**
     * One work-group per query row {@code ip[ROW_START] + group} (rows ordered b, h, t): scores into the row's
     * scratch, softmax, output; log-sum-exp when requested (−∞ for a row that sees no key, which averages every
     * value in {@code [0, keyLen)} uniformly).
     */
    static void forwardKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                              IntArray ip, FloatArray fp) {
        float[] buf = c.allocateFloatLocalArray(128);
        int l = c.localIdx;
        int local = c.groupIdx;
        int row = ip.get(ROW_START) + local;
        int qLen = ip.get(Q_LEN);
        int keyLen = ip.get(KEY_LEN);
        int heads = ip.get(HEADS);
        int kvHeads = ip.get(KV_HEADS);
        int headDim = ip.get(HEAD_DIM);
        int b = row / (heads * qLen);
        int h = (row / qLen) % heads;
        int t = row % qLen;
        int kv = h / (heads / kvHeads);
        int s = ip.get(SCRATCH) + local * keyLen;
        float negInf = k.get(KernelMath.K_NEG_INF);

        float m = negInf;
        for (int j = l; j < keyLen; j += 128) {
            float sc = score(f32, ip, fp, b, t, h, j);
            sc = visible(i32, ip, b, t, j) ? sc : negInf;
            m = TornadoMath.max(m, sc);
            f32.set(s + j, sc);
        }
        buf[l] = m;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                buf[l] = TornadoMath.max(buf[l], buf[l + stride]);
            }
            c.localBarrier();
        }
        float max = buf[0];
        boolean blind = max == negInf;
        c.localBarrier();

        float sum = 0f;
        for (int j = l; j < keyLen; j += 128) {
            float sc = f32.get(s + j);
            float p = sc != negInf ? TornadoMath.exp(sc - max) : 0f;
            p = blind ? 1f : p;
            f32.set(s + j, p);
            sum += p;
        }
        buf[l] = sum;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                buf[l] = buf[l] + buf[l + stride];
            }
            c.localBarrier();
        }
        float total = buf[0];
        // Every work-item now reads every probability of the row: make the scratch writes of the group visible.
        c.globalBarrier();

        float inv = 1f / total;
        int out = ip.get(OUT) + ((b * qLen + t) * heads + h) * headDim;
        int values = ip.get(V) + ((b * ip.get(CAPACITY)) * kvHeads + kv) * headDim;
        int stride = kvHeads * headDim;
        for (int d = l; d < headDim; d += 128) {
            float o = 0f;
            for (int j = 0; j < keyLen; j++) {
                o += f32.get(s + j) * f32.get(values + j * stride + d);
            }
            f32.set(out + d, o * inv);
        }
        if (l == 0 && ip.get(LSE) >= 0) {
            f32.set(ip.get(LSE) + (b * heads + h) * qLen + t, blind ? negInf : max + TornadoMath.log(total));
        }
    }

    /**
     * Backward, per query row of batch element {@code ip[BATCH_INDEX]} (group = h·qLen + t): probabilities
     * {@code P_j} from the saved log-sum-exp (uniform for a row that saw nothing), {@code dP_j = dout·v_j}, score
     * gradients {@code dS_j = P_j·(dP_j − Σ_i P_i·dP_i)} (0 for a blind row); P and dS stay in scratch for the key
     * kernel; {@code dq += scale·Σ_j dS_j·k_j}.
     */
    static void backwardRowsKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                                   IntArray ip, FloatArray fp) {
        float[] buf = c.allocateFloatLocalArray(128);
        int l = c.localIdx;
        int local = c.groupIdx;
        int b = ip.get(BATCH_INDEX);
        int qLen = ip.get(Q_LEN);
        int keyLen = ip.get(KEY_LEN);
        int heads = ip.get(HEADS);
        int kvHeads = ip.get(KV_HEADS);
        int headDim = ip.get(HEAD_DIM);
        int h = local / qLen;
        int t = local % qLen;
        int kv = h / (heads / kvHeads);
        int ps = ip.get(SCRATCH) + local * keyLen;
        int ds = ip.get(SCRATCH_DS) + local * keyLen;
        float negInf = k.get(KernelMath.K_NEG_INF);
        float lse = f32.get(ip.get(LSE) + (b * heads + h) * qLen + t);
        boolean blind = lse == negInf;
        int dout = ip.get(DOUT) + ((b * qLen + t) * heads + h) * headDim;
        int values = ip.get(V) + ((b * ip.get(CAPACITY)) * kvHeads + kv) * headDim;
        int stride = kvHeads * headDim;

        float pdp = 0f;
        float uniform = 1f / keyLen;
        for (int j = l; j < keyLen; j += 128) {
            float e = TornadoMath.exp(score(f32, ip, fp, b, t, h, j) - lse);
            float p = visible(i32, ip, b, t, j) ? e : 0f;
            p = blind ? uniform : p;
            float dp = 0f;
            for (int d = 0; d < headDim; d++) {
                dp += f32.get(dout + d) * f32.get(values + j * stride + d);
            }
            f32.set(ps + j, p);
            f32.set(ds + j, dp);
            pdp += p * dp;
        }
        buf[l] = pdp;
        c.localBarrier();
        for (int st = 64; st > 0; st = st / 2) {
            if (l < st) {
                buf[l] = buf[l] + buf[l + st];
            }
            c.localBarrier();
        }
        float total = buf[0];
        for (int j = l; j < keyLen; j += 128) {
            float g = f32.get(ps + j) * (f32.get(ds + j) - total);
            f32.set(ds + j, blind ? 0f : g);
        }
        c.globalBarrier();
        if (ip.get(DQ) >= 0) {
            int dq = ip.get(DQ) + ((b * qLen + t) * heads + h) * headDim;
            int keys = ip.get(K) + ((b * ip.get(CAPACITY)) * kvHeads + kv) * headDim;
            float scale = fp.get(0);
            for (int d = l; d < headDim; d += 128) {
                float acc = 0f;
                for (int j = 0; j < keyLen; j++) {
                    acc += f32.get(ds + j) * f32.get(keys + j * stride + d);
                }
                f32.set(dq + d, f32.get(dq + d) + scale * acc);
            }
        }
    }

    /**
     * Backward, per key element {@code (kv, j, d)} of batch element {@code ip[BATCH_INDEX]}:
     * {@code dk += scale·Σ dS·q} and {@code dv += Σ P·dout} over the query heads of the group and every query.
     */
    static void backwardKeysKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                                   IntArray ip, FloatArray fp) {
        int g = c.globalIdx;
        int qLen = ip.get(Q_LEN);
        int keyLen = ip.get(KEY_LEN);
        int heads = ip.get(HEADS);
        int kvHeads = ip.get(KV_HEADS);
        int headDim = ip.get(HEAD_DIM);
        if (g < kvHeads * keyLen * headDim) {
            int b = ip.get(BATCH_INDEX);
            int d = g % headDim;
            int j = (g / headDim) % keyLen;
            int kv = g / (headDim * keyLen);
            int group = heads / kvHeads;
            float accK = 0f;
            float accV = 0f;
            for (int hh = 0; hh < group; hh++) {
                int h = kv * group + hh;
                for (int t = 0; t < qLen; t++) {
                    int r = (h * qLen + t) * keyLen + j;
                    int at = ((b * qLen + t) * heads + h) * headDim + d;
                    accK += f32.get(ip.get(SCRATCH_DS) + r) * f32.get(ip.get(Q) + at);
                    accV += f32.get(ip.get(SCRATCH) + r) * f32.get(ip.get(DOUT) + at);
                }
            }
            int key = ((b * ip.get(CAPACITY) + j) * kvHeads + kv) * headDim + d;
            if (ip.get(DK) >= 0) {
                int at = ip.get(DK) + key;
                f32.set(at, f32.get(at) + fp.get(0) * accK);
            }
            if (ip.get(DV) >= 0) {
                int at = ip.get(DV) + key;
                f32.set(at, f32.get(at) + accV);
            }
        }
    }

    // ------------------------------------------------------------------ host side

    /** Checked tensors and the index arithmetic of one call. */
    private record Call(AttentionSpec spec, int capacity, DeviceTensor q, DeviceTensor k, DeviceTensor v,
                        DeviceTensor mask) {
    }

    private static Call call(Tensor q, Tensor k, Tensor v, Tensor keyMask, AttentionSpec s) {
        DeviceTensor qt = TornadoBackend.f32(q, "attention q");
        DeviceTensor kt = TornadoBackend.f32(k, "attention k");
        DeviceTensor vt = TornadoBackend.f32(v, "attention v");
        if (qt.shape().rows() != (long) s.batch() * s.queryLen() || qt.shape().cols() != (long) s.heads() * s.headDim()) {
            throw new IllegalArgumentException("attention: q " + qt.shape() + " does not match " + s);
        }
        long kvCols = (long) s.kvHeads() * s.headDim();
        if (kt.shape().cols() != kvCols || !kt.shape().equals(vt.shape()) || kt.shape().rows() % s.batch() != 0) {
            throw new IllegalArgumentException("attention: k " + kt.shape() + ", v " + vt.shape() + " do not match " + s);
        }
        int capacity = Math.toIntExact(kt.shape().rows() / s.batch());
        if (capacity < s.keyLen()) {
            throw new IllegalArgumentException("attention: keyLen " + s.keyLen() + " exceeds the " + capacity
                    + " keys per sequence in k");
        }
        DeviceTensor mask = null;
        if (keyMask != null) {
            mask = TornadoBackend.of(keyMask);
            if (mask.dtype() != DType.I32 || mask.numel() != (long) s.batch() * capacity) {
                throw new IllegalArgumentException("attention: keyMask " + mask + " is not I32 [batch, " + capacity + "]");
            }
        }
        return new Call(s, capacity, qt, kt, vt, mask);
    }

    private void common(Call c, int queryStart) {
        AttentionSpec s = c.spec;
        // No window: one wider than any sequence. No mask: a mask of ones (see visible()).
        int window = s.window() > 0 ? s.window() : Integer.MAX_VALUE / 2;
        DeviceTensor mask = c.mask != null ? c.mask : ones((long) s.batch() * c.capacity);
        device.params(0, 0, s.batch(), s.queryLen(), s.keyLen(), s.heads(), s.kvHeads(), s.headDim(), window,
                c.capacity, queryStart, c.q.offset(), c.k.offset(), c.v.offset(), mask.offset());
        device.floatParams(s.scale());
    }

    /** An I32 tensor of at least {@code n} ones, kept between calls (grown when a larger one is needed). */
    private DeviceTensor ones(long n) {
        if (ones == null || ones.numel() < n) {
            ones = memory.allocatePersistent(DType.I32, dev.ibex.spi.tensor.Shape.of(Math.max(n, 4096)));
            memory.fillInts(ones, 1);
        }
        return ones;
    }

    public void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec, Tensor out,
                   Tensor lse) {
        Call c = call(q, k, v, keyMask, spec);
        DeviceTensor ot = TornadoBackend.f32(out, "attention output");
        if (ot.numel() != c.q.numel()) {
            throw new IllegalArgumentException("attention: output " + ot.shape() + " does not match q " + c.q.shape());
        }
        long rows = (long) spec.batch() * spec.heads() * spec.queryLen();
        DeviceTensor lt = null;
        if (lse != null) {
            lt = TornadoBackend.f32(lse, "attention lse");
            if (lt.numel() != rows) {
                throw new IllegalArgumentException("attention: lse must have " + rows + " elements, got " + lt.shape());
            }
        }
        if (rows == 0) {
            return;
        }
        if (spec.keyLen() == 0) {
            // No keys at all: nothing to average; the output is zero and every row's log-sum-exp is log 0.
            memory.fill(ot, 0f);
            if (lt != null) {
                memory.fill(lt, Float.NEGATIVE_INFINITY);
            }
            return;
        }
        int keyLen = spec.keyLen();
        int chunk = (int) Math.max(1, Math.min(rows, SCRATCH_FLOATS / keyLen));
        DeviceTensor scratch = memory.scratch(DType.F32, (long) chunk * keyLen);
        try {
            for (long start = 0; start < rows; start += chunk) {
                int n = (int) Math.min(chunk, rows - start);
                common(c, queryStart);
                setParam(ROW_START, (int) start);
                setParam(OUT, ot.offset());
                setParam(LSE, lt == null ? -1 : lt.offset());
                setParam(SCRATCH, scratch.offset());
                device.run(forward, (long) n * Device.WG);
            }
        } finally {
            memory.freeScratch(scratch);
        }
    }

    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                           Tensor out, Tensor lse, Tensor dout, Tensor dq, Tensor dk, Tensor dv) {
        Call c = call(q, k, v, keyMask, spec);
        if (lse == null) {
            throw new IllegalArgumentException("attentionBackward needs the lse saved by the forward pass");
        }
        DeviceTensor lt = TornadoBackend.f32(lse, "attention lse");
        DeviceTensor gt = TornadoBackend.f32(dout, "attention output gradient");
        if (gt.numel() != c.q.numel()) {
            throw new IllegalArgumentException("attention: dout " + gt.shape() + " does not match q " + c.q.shape());
        }
        DeviceTensor dqt = dq == null ? null : like(dq, c.q, "dq");
        DeviceTensor dkt = dk == null ? null : like(dk, c.k, "dk");
        DeviceTensor dvt = dv == null ? null : like(dv, c.v, "dv");
        if ((dqt == null && dkt == null && dvt == null) || spec.queryLen() == 0 || spec.keyLen() == 0) {
            return;
        }
        int rowsPerBatch = spec.heads() * spec.queryLen();
        long perBatch = (long) rowsPerBatch * spec.keyLen();
        DeviceTensor probabilities = memory.scratch(DType.F32, perBatch);
        DeviceTensor scoreGrads = memory.scratch(DType.F32, perBatch);
        try {
            for (int b = 0; b < spec.batch(); b++) {
                common(c, queryStart);
                setParam(LSE, lt.offset());
                setParam(SCRATCH, probabilities.offset());
                setParam(SCRATCH_DS, scoreGrads.offset());
                setParam(DOUT, gt.offset());
                setParam(DQ, dqt == null ? -1 : dqt.offset());
                setParam(DK, dkt == null ? -1 : dkt.offset());
                setParam(DV, dvt == null ? -1 : dvt.offset());
                setParam(BATCH_INDEX, b);
                device.run(backwardRows, (long) rowsPerBatch * Device.WG);
                if (dkt != null || dvt != null) {
                    device.run(backwardKeys, (long) spec.kvHeads() * spec.keyLen() * spec.headDim());
                }
            }
        } finally {
            memory.freeScratch(probabilities);
            memory.freeScratch(scoreGrads);
        }
    }

    private void setParam(int slot, int value) {
        device.param(slot, value);
    }

    private static DeviceTensor like(Tensor t, DeviceTensor shape, String what) {
        DeviceTensor d = TornadoBackend.f32(t, "attention " + what);
        if (d.numel() != shape.numel()) {
            throw new IllegalArgumentException("attention: " + what + " " + d.shape() + " does not match " + shape.shape());
        }
        return d;
    }
}
