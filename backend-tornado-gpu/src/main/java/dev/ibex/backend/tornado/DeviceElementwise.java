package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.DropoutMask;
import dev.ibex.spi.backend.ElementwiseKernels;
import dev.ibex.spi.backend.Tensor;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Pointwise kernels: arithmetic, activations and their gradients, SwiGLU, column copies and dropout. One work-item
 * per element; a few kernels with an operation code rather than one per operation, because every kernel costs a
 * JIT compilation (about half a second on PoCL) the first time it runs.
 */
final class DeviceElementwise implements ElementwiseKernels {
    private static final int ADD = 0;
    private static final int MUL = 1;
    private static final int SCALE = 2;
    private static final int AXPY = 3;

    private static final int FORWARD = 0;
    private static final int BACKWARD = 1;
    private static final int SWIGLU = 2;
    private static final int SWIGLU_BACKWARD = 3;

    private final Device device;
    private final Device.Launch arithmetic;
    private final Device.Launch activation;
    private final Device.Launch columns;
    private final Device.Launch dropout;

    DeviceElementwise(Device device) {
        this.device = device;
        this.arithmetic = device.kernel1d("arithmetic", DeviceElementwise::arithmeticKernel);
        this.activation = device.kernel1d("activation", DeviceElementwise::activationKernel);
        this.columns = device.kernel1d("columns", DeviceElementwise::columnsKernel);
        this.dropout = device.kernel1d("dropout", DeviceElementwise::dropoutKernel);
    }

    // ------------------------------------------------------------------ kernels

    /**
     * {@code out[i] = a[i] op b[i]} for {@code i < ip[1]}, op {@code ip[0]}: add, mul, scale ({@code fp[0]·a}) or
     * axpy ({@code b + fp[0]·a}, written to {@code out}, which is {@code b}); offsets a, b, out in {@code ip[2..4]}.
     */
    static void arithmeticKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                                 IntArray ip, FloatArray fp) {
        int i = c.globalIdx;
        if (i < ip.get(1)) {
            int op = ip.get(0);
            float a = f32.get(ip.get(2) + i);
            float r;
            if (op == ADD) {
                r = a + f32.get(ip.get(3) + i);
            } else if (op == MUL) {
                r = a * f32.get(ip.get(3) + i);
            } else if (op == SCALE) {
                r = fp.get(0) * a;
            } else {
                r = f32.get(ip.get(3) + i) + fp.get(0) * a;
            }
            f32.set(ip.get(4) + i, r);
        }
    }

    /**
     * Activations, mode {@code ip[0]}: forward {@code out = f(x)}; backward {@code dx += f'(x)·dy}; SwiGLU
     * {@code out = silu(gate)·up}; SwiGLU backward {@code dgate += dy·up·silu'(gate)}, {@code dup += dy·silu(gate)}
     * (each skipped when its offset is negative). {@code ip[1]} count, {@code ip[2]} function, offsets
     * {@code ip[3..6]}: x/gate, dy/up, out/dx/dgate, dup (SwiGLU backward reads dy at {@code ip[7]}).
     */
    static void activationKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                                 IntArray ip, FloatArray fp) {
        int i = c.globalIdx;
        if (i < ip.get(1)) {
            int mode = ip.get(0);
            float x = f32.get(ip.get(3) + i);
            if (mode == FORWARD) {
                f32.set(ip.get(5) + i, KernelMath.activation(ip.get(2), x));
            } else if (mode == BACKWARD) {
                int at = ip.get(5) + i;
                f32.set(at, f32.get(at) + KernelMath.derivative(ip.get(2), x) * f32.get(ip.get(4) + i));
            } else if (mode == SWIGLU) {
                f32.set(ip.get(5) + i, KernelMath.silu(x) * f32.get(ip.get(4) + i));
            } else {
                float up = f32.get(ip.get(4) + i);
                float dy = f32.get(ip.get(7) + i);
                if (ip.get(5) >= 0) {
                    int at = ip.get(5) + i;
                    f32.set(at, f32.get(at) + dy * up * KernelMath.siluGrad(x));
                }
                if (ip.get(6) >= 0) {
                    int at = ip.get(6) + i;
                    f32.set(at, f32.get(at) + dy * KernelMath.silu(x));
                }
            }
        }
    }

    /**
     * {@code dst[r, dstCol + j] (+)= src[r, srcCol + j]} for {@code r < ip[0]}, {@code j < ip[1]}: src at
     * {@code ip[2]} with {@code ip[3]} columns from {@code ip[4]}, dst at {@code ip[5]} with {@code ip[6]} columns
     * from {@code ip[7]}, accumulating when {@code ip[8] != 0}.
     */
    static void columnsKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                              IntArray ip, FloatArray fp) {
        int i = c.globalIdx;
        int count = ip.get(1);
        if (i < ip.get(0) * count) {
            int r = i / count;
            int j = i - r * count;
            float v = f32.get(ip.get(2) + r * ip.get(3) + ip.get(4) + j);
            int at = ip.get(5) + r * ip.get(6) + ip.get(7) + j;
            f32.set(at, ip.get(8) != 0 ? f32.get(at) + v : v);
        }
    }

    /**
     * {@link DropoutMask}: {@code out[i] = u(seed, i) ≥ p ? x[i]·scale : 0} for {@code i < ip[0]}; x at
     * {@code ip[1]}, out at {@code ip[2]}; the generator's starting state (already mixed from the seed) in
     * {@code ip[3]} (high) and {@code ip[4]} (low); p and scale in {@code fp[0..1]}.
     */
    static void dropoutKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                              IntArray ip, FloatArray fp) {
        int i = c.globalIdx;
        if (i < ip.get(0)) {
            long state = ((long) ip.get(3) << 32) | (ip.get(4) & 0xFFFFFFFFL);
            float u = KernelMath.uniform(state, i);
            f32.set(ip.get(2) + i, u >= fp.get(0) ? f32.get(ip.get(1) + i) * fp.get(1) : 0f);
        }
    }

    // ------------------------------------------------------------------ host side

    private void binary(int op, DeviceTensor a, DeviceTensor b, DeviceTensor out, float alpha) {
        device.params(op, a.count(), a.offset(), b == null ? 0 : b.offset(), out.offset());
        device.floatParams(alpha);
        device.run(arithmetic, a.count());
    }

    public void add(Tensor a, Tensor b, Tensor out) {
        DeviceTensor[] t = same("add", a, b, out);
        binary(ADD, t[0], t[1], t[2], 0f);
    }

    public void mul(Tensor a, Tensor b, Tensor out) {
        DeviceTensor[] t = same("mul", a, b, out);
        binary(MUL, t[0], t[1], t[2], 0f);
    }

    public void scale(Tensor x, float alpha, Tensor out) {
        DeviceTensor[] t = same("scale", x, out);
        binary(SCALE, t[0], null, t[1], alpha);
    }

    public void axpy(float alpha, Tensor x, Tensor y) {
        DeviceTensor[] t = same("axpy", x, y);
        binary(AXPY, t[0], t[1], t[1], alpha);
    }

    public void activation(Activation f, Tensor x, Tensor out) {
        DeviceTensor[] t = same("activation", x, out);
        device.params(FORWARD, t[0].count(), f.ordinal(), t[0].offset(), 0, t[1].offset(), -1, 0);
        device.run(activation, t[0].count());
    }

    public void activationBackward(Activation f, Tensor x, Tensor dy, Tensor dx) {
        DeviceTensor[] t = same("activationBackward", x, dy, dx);
        device.params(BACKWARD, t[0].count(), f.ordinal(), t[0].offset(), t[1].offset(), t[2].offset(), -1, 0);
        device.run(activation, t[0].count());
    }

    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        DeviceTensor[] t = same("swiglu", gate, up, out);
        device.params(SWIGLU, t[0].count(), 0, t[0].offset(), t[1].offset(), t[2].offset(), -1, 0);
        device.run(activation, t[0].count());
    }

    public void swigluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dgate, Tensor dup) {
        if (dgate == null && dup == null) {
            return;
        }
        DeviceTensor[] t = same("swigluBackward", gate, up, dy);
        int dg = dgate == null ? -1 : same("swigluBackward", gate, dgate)[1].offset();
        int du = dup == null ? -1 : same("swigluBackward", gate, dup)[1].offset();
        device.params(SWIGLU_BACKWARD, t[0].count(), 0, t[0].offset(), t[1].offset(), dg, du, t[2].offset());
        device.run(activation, t[0].count());
    }

    public void copyColumns(Tensor source, int srcCol, Tensor destination, int dstCol, int count, boolean accumulate) {
        DeviceTensor src = TornadoBackend.f32(source, "copyColumns source");
        DeviceTensor dst = TornadoBackend.f32(destination, "copyColumns destination");
        int rows = src.rows();
        if (dst.rows() != rows) {
            throw new IllegalArgumentException("copyColumns: " + src.shape() + " and " + dst.shape() + " differ in rows");
        }
        if (srcCol < 0 || dstCol < 0 || count < 0 || srcCol + count > src.cols() || dstCol + count > dst.cols()) {
            throw new IndexOutOfBoundsException("copyColumns: columns [" + srcCol + ", " + (srcCol + count) + ") of "
                    + src.shape() + " to [" + dstCol + ", " + (dstCol + count) + ") of " + dst.shape());
        }
        if (rows == 0 || count == 0) {
            return;
        }
        device.params(rows, count, src.offset(), src.cols(), srcCol, dst.offset(), dst.cols(), dstCol,
                accumulate ? 1 : 0);
        device.run(columns, (long) rows * count);
    }

    public void dropout(Tensor x, float p, long seed, Tensor out) {
        DeviceTensor[] t = same("dropout", x, out);
        // The generator state mix64(seed + γ) is the first output of SplittableRandom(seed): computed here once.
        long state = new java.util.SplittableRandom(seed).nextLong();
        device.params(t[0].count(), t[0].offset(), t[1].offset(), (int) (state >>> 32), (int) state);
        device.floatParams(p, DropoutMask.scale(p));
        device.run(dropout, t[0].count());
    }

    /** The F32 tensors of one pointwise call, checked to hold the same number of elements. */
    private static DeviceTensor[] same(String op, Tensor... tensors) {
        DeviceTensor[] out = new DeviceTensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            out[i] = TornadoBackend.f32(tensors[i], op + " operand");
            if (out[i].numel() != out[0].numel()) {
                throw new IllegalArgumentException(op + ": " + out[0].shape() + " and " + out[i].shape()
                        + " differ in element count");
            }
        }
        return out;
    }
}
