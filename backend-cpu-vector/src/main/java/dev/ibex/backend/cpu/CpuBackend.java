package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.ComposedBackend;
import dev.ibex.spi.backend.DeviceInfo;
import jdk.incubator.vector.FloatVector;

/** The CPU backend: memory from {@link CpuMemory}, kernels from one class per family, sharing one worker pool. */
final class CpuBackend extends ComposedBackend {
    private final WorkerPool pool;

    CpuBackend(int threads) {
        this(new WorkerPool(threads));
    }

    private CpuBackend(WorkerPool pool) {
        super(new CpuMemory(), new CpuMatmul(pool), new CpuElementwise(pool), new CpuNorms(pool), new CpuRope(pool),
                new CpuAttention(pool), new CpuEmbedding(pool), new CpuLoss(pool), new CpuOptimizer(pool));
        this.pool = pool;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public DeviceInfo device() {
        String cpu = System.getProperty("os.arch") + " CPU (" + pool.threads() + " threads, "
                + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors)";
        return new DeviceInfo(cpu, Runtime.getRuntime().maxMemory(), false);
    }

    @Override
    public void close() {
        pool.close();
    }
}
