package dev.example.vicuna;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.ChatTemplateProvider;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Segment;
import dev.ibex.spi.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Vicuna v1.1's prompt ("{system} USER: {q} ASSISTANT: {a}</s>"), as a third party would ship it. */
public final class VicunaTemplateProvider implements ChatTemplateProvider {
    static final String SYSTEM = "A chat between a curious user and an artificial intelligence assistant. The assistant"
            + " gives helpful, detailed, and polite answers to the user's questions.";

    @Override
    public String name() {
        return "vicuna";
    }

    @Override
    public String description() {
        return "Vicuna v1.1 USER:/ASSISTANT: turns";
    }

    @Override
    public ChatTemplate create(Map<String, Object> options) {
        if (options != null && !options.isEmpty()) {
            throw new IbexException("chat template vicuna: unknown option \"" + options.keySet().iterator().next()
                    + "\"; valid options: none");
        }
        return new Vicuna();
    }

    private static final class Vicuna implements ChatTemplate {
        @Override
        public String name() {
            return "vicuna";
        }

        @Override
        public List<Segment> render(Conversation conversation, boolean generationPrompt) {
            List<Segment> out = new ArrayList<>();
            String system = SYSTEM;
            for (Message m : conversation.messages()) {
                switch (m.role()) {
                    case SYSTEM -> system = m.content();
                    case USER -> out.add(new Segment(" USER: " + m.content(), false));
                    case ASSISTANT -> {
                        out.add(new Segment(" ASSISTANT: ", false));
                        out.add(new Segment(m.content() + "</s>", true));
                    }
                }
            }
            out.addFirst(new Segment(system, false));
            if (generationPrompt) {
                out.add(new Segment(" ASSISTANT:", false));
            }
            return out;
        }

        @Override
        public List<String> stopStrings() {
            return List.of("</s>", "USER:");
        }

        @Override
        public EncodedExample encode(Conversation conversation, Tokenizer tokenizer, boolean trainOnInputs, int maxLength) {
            int[] ids = new int[0];
            int[] labels = new int[0];
            for (Segment s : render(conversation, false)) {
                int[] part = tokenizer.encode(s.text(), false);
                int at = ids.length;
                ids = Arrays.copyOf(ids, at + part.length);
                labels = Arrays.copyOf(labels, at + part.length);
                for (int i = 0; i < part.length; i++) {
                    ids[at + i] = part[i];
                    labels[at + i] = s.trainable() || trainOnInputs ? part[i] : EncodedExample.IGNORE;
                }
            }
            int n = Math.min(ids.length, maxLength);
            return new EncodedExample(Arrays.copyOf(ids, n), Arrays.copyOf(labels, n));
        }
    }
}
