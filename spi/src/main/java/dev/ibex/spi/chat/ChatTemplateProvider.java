package dev.ibex.spi.chat;

import dev.ibex.spi.Provider;
import java.util.Map;

/** Makes a chat template, by name. Registered with {@code provides dev.ibex.spi.chat.ChatTemplateProvider with ...}. */
public interface ChatTemplateProvider extends Provider {

    /**
     * Creates the template with options from YAML or the command line (e.g. Guanaco's {@code system_prompt});
     * unknown option keys are an error that names them.
     */
    ChatTemplate create(Map<String, Object> options);

    /**
     * The option keys {@link #create} accepts, so a run config can tell a template's options from a dataset
     * reader's when both sit in one {@code datasets:} entry.
     */
    default java.util.Set<String> optionKeys() {
        return java.util.Set.of();
    }
}
