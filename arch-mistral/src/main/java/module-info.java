/** The Mistral architecture ({@code model_type: mistral}). A plugin: depends on the SPI only. */
module dev.ibex.arch.mistral {
    requires dev.ibex.spi;

    provides dev.ibex.spi.arch.ArchitectureProvider with dev.ibex.arch.mistral.MistralProvider;
}
