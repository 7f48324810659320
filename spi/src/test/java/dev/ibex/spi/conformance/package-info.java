/**
 * The backend conformance kit, shipped as the {@code ibex-spi} test-jar: a scalar reference backend
 * ({@link dev.ibex.spi.conformance.ReferenceBackend}, written for obviousness, not speed) and abstract JUnit 5
 * test classes, one per kernel family ({@code MemoryConformance}, {@code ElementwiseConformance},
 * {@code NormConformance}, {@code RopeConformance}, {@code AttentionConformance}, {@code EmbeddingConformance},
 * {@code LossConformance}, {@code OptimizerConformance}), that compare any backend with it on random shapes, odd
 * sizes and edge cases included. {@code QuantizedMatmulConformance} checks fused kernels for the SPI's quantized
 * layouts (NF4/FP4 blockwise, LLM.int8) against the layouts' reference products, on weights the kit builds from
 * random codes and scales ({@code KitQuantizedWeights}), so it needs no quantizer plugin.
 *
 * <p>The reference is itself proven here: its backward kernels against central finite differences of its forward
 * kernels ({@code ReferenceGradientTest}), its conventions (masks, windows, grouped heads, RoPE pairing, norms,
 * loss, AdamW) against hand-computed cases ({@code ReferenceSemanticsTest}), and its error function against
 * published values ({@code ReferenceMathTest}).
 *
 * <p>A third-party backend adds the test-jar as a test dependency and extends each {@code *Conformance} class,
 * returning its backend from {@link dev.ibex.spi.conformance.ConformanceSupport#backendUnderTest()}.
 */
package dev.ibex.spi.conformance;
