package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.RopeKernels;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Rotary embeddings in Hugging Face's half-split layout. One work-item per rotating pair (it writes both halves,
 * so {@code out} may be {@code x}) and per pass-through dimension. Each model's inverse frequencies are uploaded
 * once and kept, keyed by their {@link RopeSpec} (which compares by value).
 */
final class DeviceRope implements RopeKernels {
    private final Device device;
    private final DeviceMemory memory;
    private final Device.Launch rope;
    private final Map<RopeSpec, DeviceTensor> frequencies = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RopeSpec, DeviceTensor> eldest) {
            return size() > 16;
        }
    };

    DeviceRope(Device device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
        this.rope = device.kernel1d("rope", DeviceRope::ropeKernel);
    }

    /**
     * Work-item {@code e} of row {@code r}, head {@code h} ({@code e < headDim − half}): for {@code e < half} the
     * pair {@code (e, e + half)} rotated by {@code (pos[r] / scale)·invFreq[e]} ({@code sin} negated when inverse),
     * otherwise dimension {@code e + half} copied. Parameters: rows, heads, headDim, half, x, positions (I32),
     * invFreq, out, inverse flag, accumulate flag; position scale in {@code fp[0]}.
     */
    static void ropeKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                           FloatArray fp) {
        int g = c.globalIdx;
        int heads = ip.get(1);
        int headDim = ip.get(2);
        int half = ip.get(3);
        int per = headDim - half;
        if (g < ip.get(0) * heads * per) {
            int e = g % per;
            int rh = g / per;
            int row = rh / heads;
            int base = rh * headDim;
            int x = ip.get(4) + base;
            int out = ip.get(7) + base;
            boolean accumulate = ip.get(9) != 0;
            if (e < half) {
                float t = i32.get(ip.get(5) + row) / fp.get(0);
                float angle = t * f32.get(ip.get(6) + e);
                float cs = TornadoMath.cos(angle);
                float sn = TornadoMath.sin(angle);
                if (ip.get(8) != 0) {
                    sn = -sn;
                }
                float x1 = f32.get(x + e);
                float x2 = f32.get(x + e + half);
                float y1 = x1 * cs + -x2 * sn;
                float y2 = x2 * cs + x1 * sn;
                if (accumulate) {
                    y1 = y1 + f32.get(out + e);
                    y2 = y2 + f32.get(out + e + half);
                }
                f32.set(out + e, y1);
                f32.set(out + e + half, y2);
            } else {
                int d = e + half;
                float v = f32.get(x + d);
                f32.set(out + d, accumulate ? f32.get(out + d) + v : v);
            }
        }
    }

    public void rope(Tensor x, Tensor positions, RopeSpec spec, Tensor out, boolean inverse, boolean accumulate) {
        DeviceTensor xt = TornadoBackend.f32(x, "rope input");
        DeviceTensor ot = TornadoBackend.f32(out, "rope output");
        DeviceTensor pt = TornadoBackend.of(positions);
        int rows = xt.rows();
        int cols = xt.cols();
        int headDim = spec.headDim();
        int half = spec.rotaryDim() / 2;
        if (cols % headDim != 0 || spec.rotaryDim() > headDim) {
            throw new IllegalArgumentException("rope: " + cols + " columns are not heads of " + headDim + " with "
                    + spec.rotaryDim() + " rotary dims");
        }
        if (pt.dtype() != DType.I32 || pt.numel() != rows) {
            throw new IllegalArgumentException("rope: positions must be I32 [" + rows + "], got " + pt);
        }
        if (ot.numel() != xt.numel()) {
            throw new IllegalArgumentException("rope: output " + ot.shape() + " does not match input " + xt.shape());
        }
        DeviceTensor freq = frequencies.computeIfAbsent(spec, s -> memory.persistentFloats(Shape.of(half), s.invFreq()));
        int heads = cols / headDim;
        long items = (long) rows * heads * (headDim - half);
        if (items == 0) {
            return;
        }
        device.params(rows, heads, headDim, half, xt.offset(), pt.offset(), freq.offset(), ot.offset(),
                inverse ? 1 : 0, accumulate ? 1 : 0);
        device.floatParams(spec.positionScale());
        device.run(rope, items);
    }
}
