/**
 * The TornadoVM backend: every SPI kernel written in Java, compiled by TornadoVM to OpenCL C or PTX at first use,
 * on tensors that live in device heaps for their whole life. {@link dev.ibex.backend.tornado.TornadoBackendProvider}
 * is the entry point; {@code Device} holds the TornadoVM plumbing and one class per kernel family holds both the
 * kernels and their launches.
 */
package dev.ibex.backend.tornado;
