package dev.ibex.templates;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Role;
import dev.ibex.spi.chat.Segment;
import java.util.ArrayList;
import java.util.List;

/** Conversation checks and rewrites shared by the templates. */
final class Conversations {
    private Conversations() {
    }

    /**
     * The turns with an Alpaca {@code input} folded into the first user turn as {@code instruction + "\n" + input},
     * as axolotl's chat-style Alpaca prompts do, so that a record's input is never silently dropped by a template
     * that has no input field of its own.
     */
    static List<Message> turnsWithInput(Conversation conversation) {
        if (conversation.input().isEmpty()) {
            return conversation.messages();
        }
        List<Message> turns = new ArrayList<>(conversation.messages());
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i).role() == Role.USER) {
                turns.set(i, Message.user(turns.get(i).content() + "\n" + conversation.input()));
                return List.copyOf(turns);
            }
        }
        throw new IbexException("the conversation has an input field but no user turn to attach it to");
    }

    /**
     * The turns a template renders: {@link #turnsWithInput}, checked to end with a user turn when a generation prompt
     * will open the assistant's next turn.
     */
    static List<Message> turnsToRender(Conversation conversation, boolean generationPrompt, String template) {
        List<Message> turns = turnsWithInput(conversation);
        if (generationPrompt) {
            requireUserLast(turns, template);
        }
        return turns;
    }

    /** A generation prompt opens the assistant's next turn, so the last turn must be the user's. */
    static void requireUserLast(List<Message> turns, String template) {
        if (turns.isEmpty() || turns.getLast().role() != Role.USER) {
            throw new IbexException("chat template " + template + ": a generation prompt needs a conversation that ends"
                    + " with a user turn; this one ends with " + (turns.isEmpty() ? "nothing" : turns.getLast().role().jsonName()));
        }
    }

    static List<String> roles(List<Message> turns) {
        return turns.stream().map(m -> m.role().jsonName()).toList();
    }

    /** Joins neighbouring segments with the same flag and drops empty ones, so callers see one segment per span. */
    static List<Segment> merge(List<Segment> segments) {
        List<Segment> out = new ArrayList<>();
        for (Segment s : segments) {
            if (s.text().isEmpty()) {
                continue;
            }
            if (!out.isEmpty() && out.getLast().trainable() == s.trainable()) {
                out.set(out.size() - 1, new Segment(out.getLast().text() + s.text(), s.trainable()));
            } else {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    static String text(List<Segment> segments) {
        StringBuilder sb = new StringBuilder();
        segments.forEach(s -> sb.append(s.text()));
        return sb.toString();
    }
}
