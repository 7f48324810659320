/**
 * LLM.int8 weights as bitsandbytes stores them: row-wise absmax int8 codes, with the mixed-precision decomposition
 * of outlier input features. A plugin: depends on the SPI only; backends multiply these weights through the SPI's
 * {@link dev.ibex.spi.quant.RowwiseInt8} layout.
 */
module dev.ibex.quant.int8 {
    requires dev.ibex.spi;

    provides dev.ibex.spi.quant.QuantizerProvider with dev.ibex.quant.int8.Int8QuantizerProvider;
}
