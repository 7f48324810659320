package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.EmbeddingKernels;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Embedding lookups (rows converted to F32 as they are copied) and their scatter-add gradient. Ids are checked on
 * the host, from the copy the backend keeps of every I32 tensor written from the host, so an id out of range
 * throws before any launch and without a device round trip.
 */
final class DeviceEmbedding implements EmbeddingKernels {
    private final Device device;
    private final DeviceMemory memory;
    private final Device.Launch gather;
    private final Device.Launch scatter;

    DeviceEmbedding(Device device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
        this.gather = device.kernel1d("embedding", DeviceEmbedding::gatherKernel);
        this.scatter = device.kernel1d("embeddingBackward", DeviceEmbedding::scatterKernel);
    }

    /** {@code out[i, d] = table[ids[i], d]}: one work-item per output element. Parameters: n, D, ids, table, type, out. */
    static void gatherKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                             FloatArray fp) {
        int g = c.globalIdx;
        int dim = ip.get(1);
        if (g < ip.get(0) * dim) {
            int i = g / dim;
            int d = g - i * dim;
            int id = i32.get(ip.get(2) + i);
            f32.set(ip.get(5) + g, KernelMath.load(f32, h16, k, ip.get(4), ip.get(3) + id * dim + d));
        }
    }

    /**
     * {@code dtable[ids[i], d] += dout[i, d]}: one work-item per column d, walking the ids in order, so repeated ids
     * never race and the sums come out in the reference's order. Parameters: n, D, ids, dout, dtable.
     */
    static void scatterKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k,
                              IntArray ip, FloatArray fp) {
        int d = c.globalIdx;
        int dim = ip.get(1);
        if (d < dim) {
            int n = ip.get(0);
            for (int i = 0; i < n; i++) {
                int at = ip.get(4) + i32.get(ip.get(2) + i) * dim + d;
                f32.set(at, f32.get(at) + f32.get(ip.get(3) + i * dim + d));
            }
        }
    }

    public void embedding(Tensor ids, Tensor table, Tensor out) {
        DeviceTensor it = idsOf(ids);
        DeviceTensor tt = TornadoBackend.of(table);
        DeviceTensor ot = TornadoBackend.f32(out, "embedding output");
        int vocab = Math.toIntExact(tt.shape().dim(0));
        int dim = Math.toIntExact(tt.shape().dim(1));
        int n = it.count();
        if (ot.numel() != (long) n * dim) {
            throw new IllegalArgumentException("embedding output must be [" + n + ", " + dim + "], got " + ot.shape());
        }
        checkIds(memory.ints(it), vocab);
        device.params(n, dim, it.offset(), tt.offset(), tt.weightType(), ot.offset());
        device.run(gather, (long) n * dim);
    }

    public void embeddingBackward(Tensor ids, Tensor dout, Tensor dtable) {
        DeviceTensor it = idsOf(ids);
        DeviceTensor gt = TornadoBackend.f32(dout, "embedding output gradient");
        DeviceTensor dt = TornadoBackend.f32(dtable, "embedding table gradient");
        int vocab = Math.toIntExact(dt.shape().dim(0));
        int dim = Math.toIntExact(dt.shape().dim(1));
        int n = it.count();
        if (gt.numel() != (long) n * dim) {
            throw new IllegalArgumentException("embedding output gradient must be [" + n + ", " + dim + "], got "
                    + gt.shape());
        }
        checkIds(memory.ints(it), vocab);
        device.params(n, dim, it.offset(), gt.offset(), dt.offset());
        device.run(scatter, dim);
    }

    private static DeviceTensor idsOf(Tensor ids) {
        DeviceTensor t = TornadoBackend.of(ids);
        if (t.dtype() != DType.I32) {
            throw new IllegalArgumentException("embedding ids must be I32, got " + t);
        }
        return t;
    }

    private static void checkIds(int[] id, int vocab) {
        for (int i = 0; i < id.length; i++) {
            if (id[i] < 0 || id[i] >= vocab) {
                throw new IndexOutOfBoundsException("token id " + id[i] + " at position " + i
                        + " is outside the embedding table's [0, " + vocab + ")");
            }
        }
    }
}
