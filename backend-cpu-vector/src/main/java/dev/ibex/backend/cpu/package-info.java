/**
 * The CPU backend ({@code backend: cpu}). Every tensor is native memory: weights are views of the memory-mapped
 * checkpoint, activations live in the allocation scope of the step that made them. Kernels are split by family
 * ({@code CpuMatmul}, {@code CpuNorms}, {@code CpuAttention}, ...) and share one {@link dev.ibex.backend.cpu.WorkerPool}
 * sized to the machine's cores. Quantized weights in the SPI's well-known layouts (NF4/FP4, LLM.int8) are
 * multiplied by fused kernels ({@code QuantMatmul}: {@code Nf4Rows}, {@code Int8Rows}, {@code QuantPanels}) that
 * read the packed storage directly; any other format takes its own reference product.
 *
 * <p>Why native only: the Vector API compiles {@code fromMemorySegment} to plain vector loads only while a call
 * site sees a single segment implementation; mixing heap and native segments (or mapped and plain native ones)
 * at one site made kernels ten times slower in our measurements. So {@link dev.ibex.backend.cpu.CpuTensor}
 * always holds a plain native segment, and kernel loops index with {@code int}s (C2 does not vectorise
 * {@code long}-counted loops as well).
 */
package dev.ibex.backend.cpu;
