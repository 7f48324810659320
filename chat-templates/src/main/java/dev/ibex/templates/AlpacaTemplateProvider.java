package dev.ibex.templates;

import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.ChatTemplateProvider;
import java.util.Map;

/** Provides the {@code alpaca} chat template; see {@code chat-templates/README.md} for its format and options. */
public final class AlpacaTemplateProvider implements ChatTemplateProvider {
    @Override
    public String name() {
        return AlpacaTemplate.NAME;
    }

    @Override
    public String description() {
        return "alpaca-lora's instruction prompt (variants alpaca, legacy, short, qlora)";
    }

    @Override
    public ChatTemplate create(Map<String, Object> options) {
        return AlpacaTemplate.create(options);
    }

    @Override
    public java.util.Set<String> optionKeys() {
        return AlpacaTemplate.OPTIONS;
    }
}
