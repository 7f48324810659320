package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.AdamWStep;
import dev.ibex.spi.backend.OptimizerKernels;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * AdamW on the device, in torch's order of operations, and the sum of squares for gradient clipping: partial sums
 * of {@link #BLOCK} elements per work-group on the device, their sum in double on the host (one float per block
 * read back).
 */
final class DeviceOptimizer implements OptimizerKernels {
    /** Elements per work-group of the sum of squares: 8 per work-item. */
    static final int BLOCK = 8 * Device.WG;

    private final Device device;
    private final DeviceMemory memory;
    private final Device.Launch adamw;
    private final Device.Launch squares;

    DeviceOptimizer(Device device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
        this.adamw = device.kernel1d("adamw", DeviceOptimizer::adamwKernel);
        this.squares = device.kernel1d("sumOfSquares", DeviceOptimizer::squaresKernel);
    }

    /**
     * Parameters: n, param, grad, m, v; {@code fp}: decay, β1, −(1−β1), β2, −(1−β2), stepSize, bias2Sqrt, ε.
     *
     * <p>The sums are written as differences: {@code m·β1 − (−(1−β1))·g} for {@code m·β1 + (1−β1)·g}, and
     * {@code p·decay − stepSize·m/denom} for {@code p·decay + (−stepSize·m)/denom}, the same values with the same
     * roundings. TornadoVM's FMA phase ({@code tornado.enable.fma}, on by default) fuses every {@code a·b + c}, and
     * a fused update rounds differently from torch's, by more than the kit's 1e-6 when the terms nearly cancel.
     */
    static void adamwKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                            FloatArray fp) {
        int i = c.globalIdx;
        if (i < ip.get(0)) {
            int pAt = ip.get(1) + i;
            int mAt = ip.get(3) + i;
            int vAt = ip.get(4) + i;
            float g = f32.get(ip.get(2) + i);
            float p = f32.get(pAt) * fp.get(0);
            float m = f32.get(mAt) * fp.get(1) - fp.get(2) * g;
            float v = f32.get(vAt) * fp.get(3) - fp.get(4) * g * g;
            float denom = TornadoMath.sqrt(v) / fp.get(6) + fp.get(7);
            f32.set(pAt, p - fp.get(5) * m / denom);
            f32.set(mAt, m);
            f32.set(vAt, v);
        }
    }

    /** Work-group g writes {@code Σ x²} over elements {@code [g·BLOCK, (g+1)·BLOCK)}. Parameters: n, x, partials. */
    static void squaresKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                              IntArray ip, FloatArray fp) {
        float[] buf = c.allocateFloatLocalArray(128);
        int g = c.groupIdx;
        int l = c.localIdx;
        int n = ip.get(0);
        int x = ip.get(1);
        float s = 0f;
        int start = g * 1024;
        for (int q = 0; q < 8; q++) {
            int i = start + q * 128 + l;
            if (i < n) {
                float v = f32.get(x + i);
                s += v * v;
            }
        }
        buf[l] = s;
        c.localBarrier();
        for (int stride = 64; stride > 0; stride = stride / 2) {
            if (l < stride) {
                buf[l] = buf[l] + buf[l + stride];
            }
            c.localBarrier();
        }
        if (l == 0) {
            f32.set(ip.get(2) + g, buf[0]);
        }
    }

    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        DeviceTensor p = TornadoBackend.f32(param, "adamw param");
        DeviceTensor g = TornadoBackend.f32(grad, "adamw grad");
        DeviceTensor mt = TornadoBackend.f32(m, "adamw exp_avg");
        DeviceTensor vt = TornadoBackend.f32(v, "adamw exp_avg_sq");
        if (g.numel() != p.numel() || mt.numel() != p.numel() || vt.numel() != p.numel()) {
            throw new IllegalArgumentException("adamw: param " + p.shape() + ", grad " + g.shape() + ", m " + mt.shape()
                    + ", v " + vt.shape() + " differ");
        }
        device.params(p.count(), p.offset(), g.offset(), mt.offset(), vt.offset());
        device.floatParams(step.decay(), step.beta1(), -step.oneMinusBeta1(), step.beta2(), -step.oneMinusBeta2(),
                step.stepSize(), step.bias2Sqrt(), step.eps());
        device.run(adamw, p.count());
    }

    public double sumOfSquares(Tensor x) {
        DeviceTensor t = TornadoBackend.f32(x, "sumOfSquares input");
        int n = t.count();
        if (n == 0) {
            return 0.0;
        }
        int groups = (int) Math.ceilDiv(n, (long) BLOCK);
        DeviceTensor partials = memory.scratch(DType.F32, groups);
        try {
            device.params(n, t.offset(), partials.offset());
            device.run(squares, (long) groups * Device.WG);
            float[] sums = new float[groups];
            memory.readFloats(partials, 0, sums, 0, groups);
            double total = 0;
            for (float s : sums) {
                total += s;
            }
            return total;
        } finally {
            memory.freeScratch(partials);
        }
    }
}
