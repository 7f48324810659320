/**
 * Quantized weight formats. A {@link dev.ibex.spi.quant.QuantizerProvider} turns dense weights into
 * {@link dev.ibex.spi.quant.QuantizedTensor}s, reads and writes their safetensors parts, and gives every format a
 * reference dequantization and matmul that any backend can fall back on. The two well-known layouts,
 * {@link dev.ibex.spi.quant.Blockwise4Bit} (bitsandbytes NF4/FP4) and {@link dev.ibex.spi.quant.RowwiseInt8}
 * (LLM.int8), are described here so that a backend can run fused kernels for them without depending on the
 * plugin that made them.
 */
package dev.ibex.spi.quant;
