package dev.ibex.templates;

import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.ChatTemplateProvider;
import java.util.Map;

/** Provides the {@code chatml} chat template; see {@code chat-templates/README.md} for its format and options. */
public final class ChatMlTemplateProvider implements ChatTemplateProvider {
    @Override
    public String name() {
        return ChatMlTemplate.NAME;
    }

    @Override
    public String description() {
        return "ChatML <|im_start|>role ... <|im_end|> turns, trained as axolotl's chat_template";
    }

    @Override
    public ChatTemplate create(Map<String, Object> options) {
        return ChatMlTemplate.create(options);
    }

    @Override
    public java.util.Set<String> optionKeys() {
        return ChatMlTemplate.OPTIONS;
    }
}
