/**
 * The shared building blocks of every architecture, and the autograd graph they run on.
 *
 * <p>{@link dev.ibex.spi.nn.Graph} runs each operation eagerly on a {@link dev.ibex.spi.backend.Backend} and, when
 * recording, keeps what its backward pass needs (an eager tape, llm.c style: every op's backward sits next to its
 * forward in {@code Graph}). A {@link dev.ibex.spi.nn.Var} is a tensor in the graph; parameters are leaf Vars that
 * require gradients. Frozen weights record nothing and get no gradient.
 *
 * <p>Blocks ({@link dev.ibex.spi.nn.Linear}, {@link dev.ibex.spi.nn.RmsNorm}, {@link dev.ibex.spi.nn.LayerNorm},
 * {@link dev.ibex.spi.nn.SelfAttention}, {@link dev.ibex.spi.nn.GatedMlp}, {@link dev.ibex.spi.nn.Mlp}) are
 * written once here; an architecture plugin wires them. A linear never knows whether its weight is dense,
 * quantized or wrapped in a LoRA adapter: the loader decides through {@code ModelContext.linear}.
 *
 * <p>The autograd lives in the SPI, not in the core, because the blocks that third-party architectures use must
 * be differentiable; the training loop, optimizers and data handling are the core's.
 */
package dev.ibex.spi.nn;
