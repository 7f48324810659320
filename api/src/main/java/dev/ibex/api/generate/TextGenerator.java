package dev.ibex.api.generate;

import dev.ibex.api.model.Model;
import dev.ibex.api.tokenizer.HfTokenizer;
import dev.ibex.api.tokenizer.StreamDecoder;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.Conversation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Text in, text out: tokenizes a prompt (raw, or a conversation rendered by a chat template), generates with the
 * KV cache, and streams the decoded text. Stops at the model's end-of-sequence ids (including
 * {@code generation_config.json}'s), at the template's stop strings, or at the caller's.
 */
public final class TextGenerator {
    private final Model model;
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final Generator generator;

    /**
     * @param template the chat template for {@link #reply}, or null for raw completion only
     * @param contextLimit tokens the KV cache may hold (0 = the model's context)
     */
    public TextGenerator(Model model, HfTokenizer tokenizer, ChatTemplate template, int contextLimit) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        Set<Integer> stops = new LinkedHashSet<>(model.info().eosTokenIds());
        for (int id : tokenizer.stopIds()) {
            stops.add(id);
        }
        this.generator = new Generator(model, contextLimit, stops);
    }

    public Model model() {
        return model;
    }

    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /** Continues {@code prompt} (with the tokenizer's BOS where its config adds one); returns the new text. */
    public String complete(String prompt, SamplingParams params, Consumer<String> stream) {
        return run(tokenizer.encode(prompt, true), params, stream);
    }

    /**
     * The assistant's next reply to {@code conversation} (which ends with a user turn), rendered with the template;
     * stops at the template's stop strings and returns the reply as the template extracts it.
     */
    public String reply(Conversation conversation, SamplingParams params, Consumer<String> stream) {
        if (template == null) {
            throw new IllegalStateException("no chat template: use complete() or give a template");
        }
        List<String> stops = new ArrayList<>(params.stopStrings());
        stops.addAll(template.stopStrings());
        String text = run(tokenizer.encode(template.prompt(conversation), true), params.withStopStrings(stops), stream);
        return template.extractReply(text);
    }

    private String run(int[] ids, SamplingParams params, Consumer<String> stream) {
        StringBuilder seen = new StringBuilder();
        int[] emitted = {0};
        Generation g = generator.generate(List.of(ids), params, () -> {
            StreamDecoder d = tokenizer.streamDecoder(true);
            return new TextDecoder() {
                @Override
                public String append(int token) {
                    return d.next(token);
                }

                @Override
                public String finish() {
                    return d.finish();
                }
            };
        }, stream == null ? null : (seq, token, text) -> {
            if (text == null || text.isEmpty()) {
                return;
            }
            seen.append(text);
            int safe = safeLength(seen, params.stopStrings());
            if (safe > emitted[0]) {
                stream.accept(seen.substring(emitted[0], safe));
                emitted[0] = safe;
            }
        });
        String result = g.texts().getFirst();
        if (stream != null && result.length() > emitted[0]) {
            stream.accept(result.substring(emitted[0]));
        }
        return result;
    }

    /**
     * How much of {@code text} can be shown: everything but a tail that might still grow into a stop string (which
     * is never shown), and nothing from a complete stop string on.
     */
    static int safeLength(CharSequence text, List<String> stops) {
        int safe = text.length();
        String s = text.toString();
        for (String stop : stops) {
            int at = s.indexOf(stop);
            if (at >= 0) {
                safe = Math.min(safe, at);
            }
            for (int k = Math.min(stop.length() - 1, s.length()); k > 0; k--) {
                if (s.endsWith(stop.substring(0, k))) {
                    safe = Math.min(safe, s.length() - k);
                    break;
                }
            }
        }
        return safe;
    }
}
