/**
 * The Ibex service-provider interface: the small, stable contract that third-party plugins compile against.
 *
 * <p>A plugin (architecture, compute backend, quantizer, chat template) depends on this module only, and
 * registers itself with {@code provides ... with ...} in its {@code module-info.java}. The core ({@code dev.ibex.api})
 * finds every plugin with {@link java.util.ServiceLoader}; adding a model or a device never needs a change there.
 *
 * <ul>
 *   <li>{@link dev.ibex.spi.tensor}: dtypes, shapes and host tensors over Apache Arrow buffers;</li>
 *   <li>{@link dev.ibex.spi.backend}: compute backends and the kernels models need, forward and backward;</li>
 *   <li>{@link dev.ibex.spi.nn}: the autograd graph and the shared building blocks (linear, norms, RoPE,
 *       attention, MLPs) that every architecture wires together;</li>
 *   <li>{@link dev.ibex.spi.arch}: architecture providers (config parsing, tensor names, model building);</li>
 *   <li>{@link dev.ibex.spi.quant}: quantized weight formats;</li>
 *   <li>{@link dev.ibex.spi.text} and {@link dev.ibex.spi.chat}: the tokenizer view and chat templates.</li>
 * </ul>
 *
 * <p>This module may depend on the JDK and Apache Arrow's memory module only (an ArchUnit test enforces it).
 */
package dev.ibex.spi;
