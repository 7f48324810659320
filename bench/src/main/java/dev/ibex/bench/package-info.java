/**
 * JMH benchmarks and side-by-side harnesses. Never part of the test suite. Every figure is reported as a ratio
 * against a reference measured in the same run (OpenBLAS, the machine's DRAM read bandwidth, PyTorch), because
 * the machines are shared and noisy. See {@code bench/README.md} for the commands and the recorded results.
 *
 * <p>The benchmarks run from the shaded {@code benchmarks.jar} on the class path, where module descriptors are
 * ignored: they create providers directly ({@code new CpuBackendProvider()}) and hand them to the core with
 * {@code Plugins.of(...)}, the same way an application embeds Ibex without the module path.
 */
package dev.ibex.bench;
