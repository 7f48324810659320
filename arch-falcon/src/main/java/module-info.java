/** The Falcon architecture ({@code model_type: falcon}, legacy {@code RefinedWeb}/{@code RefinedWebModel}). A plugin: depends on the SPI only. */
module dev.ibex.arch.falcon {
    requires dev.ibex.spi;

    provides dev.ibex.spi.arch.ArchitectureProvider with dev.ibex.arch.falcon.FalconProvider;
}
