package dev.ibex.templates;

import dev.ibex.spi.Options;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Segment;
import dev.ibex.spi.text.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Guanaco's OpenAssistant format (qlora, timdettmers/openassistant-guanaco): turns written
 * {@code ### Human: {q}### Assistant: {a}} with nothing between them, optionally after the model card's system
 * preamble and one space. The generation prompt ends with {@code "### Assistant: "}, as in qlora's
 * {@code guanaco_generate.py}; a reply ends where the model starts the next {@code ### Human:}.
 */
final class GuanacoTemplate implements ChatTemplate {
    static final String NAME = "guanaco";
    /** The system prompt of the Guanaco model card and qlora's generate script (without its trailing space). */
    static final String SYSTEM_PROMPT = "A chat between a curious human and an artificial intelligence assistant."
            + " The assistant gives helpful, detailed, and polite answers to the user's questions.";
    static final String HUMAN = "### Human: ";
    static final String ASSISTANT = "### Assistant: ";

    static final Set<String> OPTIONS = Set.of("system_prompt", "train_on", "source_max_len", "target_max_len");

    private final String systemPrompt;
    private final boolean trainOnText;
    private final OptionalInt sourceMaxLen;
    private final OptionalInt targetMaxLen;

    private GuanacoTemplate(String systemPrompt, boolean trainOnText, OptionalInt sourceMaxLen, OptionalInt targetMaxLen) {
        this.systemPrompt = systemPrompt;
        this.trainOnText = trainOnText;
        this.sourceMaxLen = sourceMaxLen;
        this.targetMaxLen = targetMaxLen;
    }

    /**
     * Options: {@code system_prompt} (false by default, as in the OASST training data; true for the model card's
     * preamble, or a string of your own; a conversation's own system turn wins); {@code train_on}
     * ({@code replies}, the default: human turns are the source and replies the target; {@code text}: qlora's
     * {@code --dataset oasst1} recipe, where the whole text is the target and only the BOS is the source);
     * {@code source_max_len}, {@code target_max_len} (qlora's per-piece limits, unset by default).
     */
    static GuanacoTemplate create(Map<String, Object> options) {
        Options o = Options.of("chat template " + NAME, options, OPTIONS);
        String system = switch (o.raw("system_prompt")) {
            case null -> null;
            case Boolean b -> b ? SYSTEM_PROMPT : null;
            case String s when s.equalsIgnoreCase("true") -> SYSTEM_PROMPT;
            case String s when s.equalsIgnoreCase("false") -> null;
            case String s -> s;
            default -> throw o.invalid("system_prompt", o.raw("system_prompt"), "true, false or the preamble text");
        };
        boolean text = o.choice("train_on", "replies", List.of("replies", "text")).equals("text");
        return new GuanacoTemplate(system, text, o.positiveInt("source_max_len"), o.positiveInt("target_max_len"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Segment> render(Conversation conversation, boolean generationPrompt) {
        List<Message> turns = Conversations.turnsToRender(conversation, generationPrompt, NAME);
        List<Segment> segments = new ArrayList<>();
        String system = systemPrompt;
        for (int i = 0; i < turns.size(); i++) {
            Message m = turns.get(i);
            switch (m.role()) {
                case SYSTEM -> {
                    if (i != 0) {
                        throw new IbexException("chat template guanaco: a system turn may only open the conversation;"
                                + " found one at turn " + (i + 1));
                    }
                    system = m.content();
                }
                case USER -> segments.add(new Segment(HUMAN + m.content(), trainOnText));
                case ASSISTANT -> {
                    segments.add(new Segment(ASSISTANT, trainOnText));
                    segments.add(new Segment(m.content(), true));
                }
            }
        }
        if (system != null) {
            segments.addFirst(new Segment(system + " ", trainOnText));
        }
        if (generationPrompt) {
            segments.add(new Segment(ASSISTANT, false));
        }
        return Conversations.merge(segments);
    }

    @Override
    public List<String> stopStrings() {
        return List.of("### Human:");
    }

    /**
     * qlora's collator. With {@code train_on: replies}, each human turn (with the preamble and the following
     * {@code "### Assistant: "}) is a source piece and each reply a target piece; with {@code train_on: text} the
     * whole rendered text is the single target. See {@link QloraEncoding} for how pieces become ids.
     */
    @Override
    public EncodedExample encode(Conversation conversation, Tokenizer tokenizer, boolean trainOnInputs, int maxLength) {
        return QloraEncoding.encode(render(conversation, false), tokenizer, trainOnInputs, maxLength,
                sourceMaxLen, targetMaxLen, NAME);
    }
}
