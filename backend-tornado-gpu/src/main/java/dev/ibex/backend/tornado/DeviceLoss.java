package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.LossKernels;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Cross-entropy: one work-group per row reduces the maximum and the sum of exponentials in local memory, writes the
 * row's loss {@code log Σ exp(l − max) + (max − l[label])} (0 for an ignored row) to scratch, and adds the
 * gradient {@code gradScale·(exp(l − max)/Σ − onehot)} into {@code dlogits}. The host reads the per-row losses,
 * one float per row, and sums them in double. Probabilities are formed from {@code l − max}, not from
 * {@code l − lse}: the rounding of a large log-sum-exp would otherwise show in every probability.
 */
final class DeviceLoss implements LossKernels {
    private final Device device;
    private final DeviceMemory memory;
    private final Device.Launch rows;

    DeviceLoss(Device device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
        this.rows = device.kernel1d("crossEntropy", DeviceLoss::rowKernel);
    }

    /** Parameters: rows, V, logits, labels, ignore index, dlogits (or -1), losses; gradScale in {@code fp[0]}. */
    static void rowKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                          FloatArray fp) {
        float[] buf = c.allocateFloatLocalArray(128);
        int row = c.groupIdx;
        int l = c.localIdx;
        int vocab = ip.get(1);
        int label = i32.get(ip.get(3) + row);
        if (label != ip.get(4)) {
            int logits = ip.get(2) + row * vocab;
            float m = k.get(KernelMath.K_NEG_INF);
            for (int i = l; i < vocab; i += 128) {
                m = TornadoMath.max(m, f32.get(logits + i));
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
            c.localBarrier();
            float s = 0f;
            for (int i = l; i < vocab; i += 128) {
                s += TornadoMath.exp(f32.get(logits + i) - max);
            }
            buf[l] = s;
            c.localBarrier();
            for (int stride = 64; stride > 0; stride = stride / 2) {
                if (l < stride) {
                    buf[l] = buf[l] + buf[l + stride];
                }
                c.localBarrier();
            }
            float sum = buf[0];
            if (l == 0) {
                f32.set(ip.get(6) + row, TornadoMath.log(sum) + (max - f32.get(logits + label)));
            }
            int dl = ip.get(5);
            if (dl >= 0) {
                float scale = fp.get(0);
                float inv = 1f / sum;
                for (int i = l; i < vocab; i += 128) {
                    float p = TornadoMath.exp(f32.get(logits + i) - max) * inv;
                    if (i == label) {
                        p = p - 1f;
                    }
                    int at = dl + row * vocab + i;
                    f32.set(at, f32.get(at) + scale * p);
                }
            }
        } else if (l == 0) {
            f32.set(ip.get(6) + row, 0f);
        }
    }

    public double crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor dlogits, float gradScale) {
        DeviceTensor lt = TornadoBackend.f32(logits, "crossEntropy logits");
        DeviceTensor yt = TornadoBackend.of(labels);
        int m = lt.rows();
        int vocab = lt.cols();
        if (yt.dtype() != DType.I32 || yt.numel() != m) {
            throw new IllegalArgumentException("crossEntropy: labels must be I32 [" + m + "], got " + yt);
        }
        DeviceTensor dt = null;
        if (dlogits != null) {
            dt = TornadoBackend.f32(dlogits, "crossEntropy dlogits");
            if (dt.numel() != lt.numel()) {
                throw new IllegalArgumentException("crossEntropy: dlogits " + dt.shape() + " does not match " + lt.shape());
            }
        }
        if (m == 0) {
            return 0.0;
        }
        int[] label = memory.ints(yt);
        boolean any = false;
        for (int r = 0; r < m; r++) {
            if (label[r] == ignoreIndex) {
                continue;
            }
            any = true;
            if (label[r] < 0 || label[r] >= vocab) {
                throw new IndexOutOfBoundsException("label " + label[r] + " of row " + r + " is outside [0, " + vocab
                        + ") and is not the ignore index " + ignoreIndex);
            }
        }
        if (!any) {
            return 0.0;
        }
        DeviceTensor losses = memory.scratch(DType.F32, m);
        try {
            device.params(m, vocab, lt.offset(), yt.offset(), ignoreIndex, dt == null ? -1 : dt.offset(),
                    losses.offset());
            device.floatParams(gradScale);
            device.run(rows, (long) m * Device.WG);
            float[] perRow = new float[m];
            memory.readFloats(losses, 0, perRow, 0, m);
            double total = 0;
            for (int r = 0; r < m; r++) {
                if (label[r] != ignoreIndex) {
                    total += perRow[r];
                }
            }
            return total;
        } finally {
            memory.freeScratch(losses);
        }
    }
}
