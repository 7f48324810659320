package dev.ibex.templates;

import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.ChatTemplateProvider;
import java.util.Map;

/** Provides the {@code guanaco} chat template; see {@code chat-templates/README.md} for its format and options. */
public final class GuanacoTemplateProvider implements ChatTemplateProvider {
    @Override
    public String name() {
        return GuanacoTemplate.NAME;
    }

    @Override
    public String description() {
        return "Guanaco / OpenAssistant '### Human: ... ### Assistant: ...' turns, trained as qlora";
    }

    @Override
    public ChatTemplate create(Map<String, Object> options) {
        return GuanacoTemplate.create(options);
    }

    @Override
    public java.util.Set<String> optionKeys() {
        return GuanacoTemplate.OPTIONS;
    }
}
