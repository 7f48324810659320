/**
 * The Ibex core that applications use: plugin discovery, checkpoint I/O (safetensors over Arrow), model loading,
 * tokenizers, datasets, generation, training, adapters and YAML runs. Finds every plugin through
 * {@link java.util.ServiceLoader}; knows none of them by name.
 */
module dev.ibex.api {
    requires transitive dev.ibex.spi;
    requires org.apache.arrow.memory.unsafe;
    requires com.fasterxml.jackson.databind;
    requires org.yaml.snakeyaml;
    requires org.slf4j;

    exports dev.ibex.api.plugin;
    exports dev.ibex.api.io;
    // exports dev.ibex.api.model; (added with its first class)
    exports dev.ibex.api.tokenizer;
    // exports dev.ibex.api.data; (added with its first class)
    // exports dev.ibex.api.generate; (added with its first class)
    // exports dev.ibex.api.train; (added with its first class)
    // exports dev.ibex.api.adapter; (added with its first class)
    // exports dev.ibex.api.run; (added with its first class)

    uses dev.ibex.spi.arch.ArchitectureProvider;
    uses dev.ibex.spi.backend.BackendProvider;
    uses dev.ibex.spi.quant.QuantizerProvider;
    uses dev.ibex.spi.chat.ChatTemplateProvider;
}
