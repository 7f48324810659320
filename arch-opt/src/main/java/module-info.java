/** The OPT architecture ({@code model_type: opt}). A plugin: depends on the SPI only. */
module dev.ibex.arch.opt {
    requires dev.ibex.spi;

    provides dev.ibex.spi.arch.ArchitectureProvider with dev.ibex.arch.opt.OptProvider;
}
