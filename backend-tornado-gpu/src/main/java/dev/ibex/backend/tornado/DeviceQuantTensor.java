package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;

/**
 * A quantized weight for the tornado backend. A weight in one of the SPI's well-known layouts is copied into the
 * device heaps once, when it is uploaded ({@link DeviceMemory#upload(QuantizedTensor)}), and multiplied there by
 * {@link DeviceQuantMatmul}'s kernels, which dequantize it as they read it; exactly one of {@code blockwise} and
 * {@code rowwise} is then set. A weight in any other format stays on the host and both are null: its products run
 * through the format's reference product (see {@link DeviceMatmul}).
 *
 * <p>Bytes live in the 16-bit heap, two per element, little-endian (byte {@code b} is the low half of element
 * {@code b/2} when {@code b} is even), as tensors of dtype {@link DType#I16}; scales and code tables in the F32 heap.
 *
 * @param source    the host weight (its format and shape; the reference product for unknown formats)
 * @param blockwise its {@link dev.ibex.spi.quant.Blockwise4Bit} storage on the device, or null
 * @param rowwise   its {@link dev.ibex.spi.quant.RowwiseInt8} storage on the device, or null
 */
record DeviceQuantTensor(QuantizedTensor source, Blockwise blockwise, Rowwise rowwise) implements QuantTensor {

    /**
     * NF4/FP4 on the device, field for field as {@link dev.ibex.spi.quant.Blockwise4Bit}.
     *
     * @param packed          I16: the packed codes, {@code ceil(rows·cols/2)} bytes
     * @param codebook        F32 [16]
     * @param blockSize       values per absmax block
     * @param absmax          F32 [blocks], or I16 holding the U8 absmax codes with double quantization
     * @param doubleQuant     whether {@code absmax} holds codes
     * @param nestedCodebook  F32 [256] with double quantization, else null
     * @param nestedAbsmax    F32 [nested blocks] with double quantization, else null
     * @param nestedBlockSize absmax codes per nested block (0 without double quantization)
     * @param offset          added to every decoded absmax (0 without double quantization)
     */
    record Blockwise(DeviceTensor packed, DeviceTensor codebook, int blockSize, DeviceTensor absmax,
                     boolean doubleQuant, DeviceTensor nestedCodebook, DeviceTensor nestedAbsmax, int nestedBlockSize,
                     float offset) {
    }

    /**
     * LLM.int8 on the device, as {@link dev.ibex.spi.quant.RowwiseInt8}.
     *
     * @param codes     I16: the I8 codes, {@code rows·cols} bytes
     * @param rowScales F32 [rows] (SCB)
     * @param threshold outlier threshold (0 = none)
     */
    record Rowwise(DeviceTensor codes, DeviceTensor rowScales, float threshold) {
    }

    /** Whether the device kernels multiply this weight (otherwise the format's reference product does, on the host). */
    boolean onDevice() {
        return blockwise != null || rowwise != null;
    }

    @Override
    public DType dtype() {
        return DType.U8;
    }

    @Override
    public Shape shape() {
        return source.shape();
    }
}
