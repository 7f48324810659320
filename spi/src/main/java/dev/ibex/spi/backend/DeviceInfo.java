package dev.ibex.spi.backend;

/**
 * What a backend runs on.
 *
 * @param name        device name ("AMD EPYC (2 threads, AVX2 256-bit vectors)", "NVIDIA H100")
 * @param memoryBytes device memory, or -1 when unknown
 * @param supportsF16 whether F16 arithmetic runs natively on the device
 */
public record DeviceInfo(String name, long memoryBytes, boolean supportsF16) {
}
