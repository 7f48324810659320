package dev.ibex.app;

import dev.ibex.api.model.LoadOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that loads a model shares. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (config.json + safetensors).")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter folder to apply.")
    Path adapter;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Compute backend (see 'ibex plugins'); default: the best available.")
    String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU threads (default: all cores).")
    int threads;

    LoadOptions loadOptions() {
        LoadOptions o = LoadOptions.inference().withBackend(backend).withThreads(threads);
        return adapter == null ? o : o.withAdapter(adapter);
    }
}
