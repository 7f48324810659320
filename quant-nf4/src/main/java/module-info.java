/**
 * bitsandbytes-compatible 4-bit weights: NF4 and FP4 with blockwise absmax scaling and optional double
 * quantization of the scales, saved and loaded under bitsandbytes' own tensor names. A plugin: depends on the SPI
 * only; backends multiply these weights through the SPI's {@link dev.ibex.spi.quant.Blockwise4Bit} layout.
 */
module dev.ibex.quant.nf4 {
    requires dev.ibex.spi;

    provides dev.ibex.spi.quant.QuantizerProvider with dev.ibex.quant.nf4.Nf4QuantizerProvider;
}
