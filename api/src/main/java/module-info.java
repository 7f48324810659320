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
    exports dev.ibex.api.model;
    exports dev.ibex.api.tokenizer;
    exports dev.ibex.api.data;
    exports dev.ibex.api.generate;
    exports dev.ibex.api.train;
    exports dev.ibex.api.adapter;
    exports dev.ibex.api.run;

    // The command line shares the core's JSON and atomic-file helpers; nobody else sees them.
    exports dev.ibex.api.internal to dev.ibex.app;

    uses dev.ibex.spi.arch.ArchitectureProvider;
    uses dev.ibex.spi.backend.BackendProvider;
    uses dev.ibex.spi.quant.QuantizerProvider;
    uses dev.ibex.spi.chat.ChatTemplateProvider;
}
