/** The LLaMA architecture ({@code model_type: llama}). A plugin: depends on the SPI only. */
module dev.ibex.arch.llama {
    requires dev.ibex.spi;

    provides dev.ibex.spi.arch.ArchitectureProvider with dev.ibex.arch.llama.LlamaProvider;
}
