/**
 * The Ibex SPI: the contract plugins compile against. Depends on the JDK and Apache Arrow's memory module only.
 */
module dev.ibex.spi {
    requires transitive org.apache.arrow.memory.core;

    exports dev.ibex.spi;
    exports dev.ibex.spi.tensor;
    exports dev.ibex.spi.backend;
    exports dev.ibex.spi.quant;
    exports dev.ibex.spi.nn;
    exports dev.ibex.spi.arch;
    exports dev.ibex.spi.text;
    exports dev.ibex.spi.chat;
}
