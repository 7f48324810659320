/**
 * The CPU backend: Ibex's kernels on the JDK's Vector API, multi-threaded over a dedicated worker pool.
 * A plugin: depends on the SPI only.
 */
module dev.ibex.backend.cpu {
    requires dev.ibex.spi;
    requires jdk.incubator.vector;

    provides dev.ibex.spi.backend.BackendProvider with dev.ibex.backend.cpu.CpuBackendProvider;
}
