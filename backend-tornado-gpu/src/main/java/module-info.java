/**
 * The GPU backend: Ibex's kernels written in Java and compiled by TornadoVM to OpenCL or PTX. A plugin: depends on
 * the SPI and on TornadoVM's API only.
 *
 * <p>TornadoVM is a static requirement: the module loads (and its provider reports "TornadoVM not installed") in a
 * JVM started without the SDK's {@code tornado-argfile}; with it, TornadoVM's modules are resolved and read.
 */
module dev.ibex.backend.tornado {
    requires dev.ibex.spi;
    requires static tornado.api;

    // TornadoVM reads the kernel methods reflectively to compile them.
    opens dev.ibex.backend.tornado to tornado.runtime;

    provides dev.ibex.spi.backend.BackendProvider with dev.ibex.backend.tornado.TornadoBackendProvider;
}
