package dev.ibex.templates;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.Options;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Role;
import dev.ibex.spi.chat.Segment;
import dev.ibex.spi.text.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The Alpaca instruction prompt in alpaca-lora's wording ({@code templates/alpaca.json}) and its variants:
 * {@code legacy} (Stanford Alpaca: no newline after "### Response:"), {@code short} (no preamble sentence) and
 * {@code qlora} (qlora's {@code ALPACA_PROMPT_DICT}: "### Response: " with a trailing space, encoded with qlora's
 * collator). The input form is used only when the input is non-empty, as alpaca-lora's {@code if input:} does.
 * A system turn replaces the preamble sentence, as axolotl's Alpaca prompter formats a system prompt.
 */
final class AlpacaTemplate implements ChatTemplate {
    static final String NAME = "alpaca";
    static final String PREAMBLE_INPUT = "Below is an instruction that describes a task, paired with an input that"
            + " provides further context. Write a response that appropriately completes the request.";
    static final String PREAMBLE_NO_INPUT = "Below is an instruction that describes a task. Write a response that"
            + " appropriately completes the request.";
    /** alpaca-lora's {@code response_split}. */
    static final String RESPONSE_SPLIT = "### Response:";

    /** The wording variants; each names the recipe whose training encoding it also follows. */
    enum Variant {
        ALPACA(true, "### Response:\n"),
        LEGACY(true, "### Response:"),
        SHORT(false, "### Response:\n"),
        QLORA(true, "### Response: ");

        final boolean preamble;
        final String responseHeader;

        Variant(boolean preamble, String responseHeader) {
            this.preamble = preamble;
            this.responseHeader = responseHeader;
        }

        static List<String> names() {
            return List.of("alpaca", "legacy", "short", "qlora");
        }
    }

    static final Set<String> OPTIONS = Set.of("variant", "add_eos_token", "source_max_len", "target_max_len");

    private final Variant variant;
    private final boolean addEosToken;
    private final OptionalInt sourceMaxLen;
    private final OptionalInt targetMaxLen;

    private AlpacaTemplate(Variant variant, boolean addEosToken, OptionalInt sourceMaxLen, OptionalInt targetMaxLen) {
        this.variant = variant;
        this.addEosToken = addEosToken;
        this.sourceMaxLen = sourceMaxLen;
        this.targetMaxLen = targetMaxLen;
    }

    /**
     * Options: {@code variant} (alpaca | legacy | short | qlora, default alpaca); {@code add_eos_token}
     * (alpaca-lora's flag, default false; alpaca-lora variants only); {@code source_max_len} and
     * {@code target_max_len} (qlora's limits; variant qlora only).
     */
    static AlpacaTemplate create(Map<String, Object> options) {
        Options o = Options.of("chat template " + NAME, options, OPTIONS);
        Variant variant = Variant.valueOf(o.choice("variant", "alpaca", Variant.names()).toUpperCase(Locale.ROOT));
        if (variant == Variant.QLORA && o.has("add_eos_token")) {
            throw new IbexException("chat template alpaca: add_eos_token is alpaca-lora's option; variant qlora always"
                    + " ends the target with EOS");
        }
        if (variant != Variant.QLORA) {
            for (String key : List.of("source_max_len", "target_max_len")) {
                if (o.has(key)) {
                    throw new IbexException("chat template alpaca: " + key + " is qlora's option and applies only with"
                            + " variant: qlora (alpaca-lora cuts the whole example at the training max length)");
                }
            }
        }
        return new AlpacaTemplate(variant, o.bool("add_eos_token", false),
                o.positiveInt("source_max_len"), o.positiveInt("target_max_len"));
    }

    @Override
    public boolean multiTurn() {
        return false;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Segment> render(Conversation conversation, boolean generationPrompt) {
        Record r = Record.of(conversation);
        if (generationPrompt) {
            Conversations.requireUserLast(conversation.messages(), NAME);
        }
        List<Segment> segments = new ArrayList<>();
        segments.add(new Segment(prompt(r), false));
        if (!generationPrompt && r.output != null) {
            segments.add(new Segment(r.output, true));
        }
        return Conversations.merge(segments);
    }

    /** alpaca-lora stops on EOS; these also end a reply that runs on into a new Alpaca block. */
    @Override
    public List<String> stopStrings() {
        return List.of(RESPONSE_SPLIT, "### Instruction:");
    }

    @Override
    public EncodedExample encode(Conversation conversation, Tokenizer tokenizer, boolean trainOnInputs, int maxLength) {
        Record r = Record.of(conversation);
        String prompt = prompt(r);
        String output = r.output == null ? "" : r.output;
        if (variant == Variant.QLORA) {
            return QloraEncoding.encode(List.of(new Segment(prompt, false), new Segment(output, true)), tokenizer,
                    trainOnInputs, maxLength, sourceMaxLen, targetMaxLen, NAME);
        }
        return AlpacaLoraEncoding.encode(prompt, prompt + output, tokenizer, trainOnInputs, maxLength, addEosToken, NAME);
    }

    /** alpaca-lora's {@code Prompter.generate_prompt(instruction, input)}, with the system turn as preamble. */
    private String prompt(Record r) {
        boolean withInput = !r.input.isEmpty();
        String preamble = r.system != null ? r.system
                : !variant.preamble ? null
                : withInput ? PREAMBLE_INPUT : PREAMBLE_NO_INPUT;
        StringBuilder sb = new StringBuilder();
        if (preamble != null) {
            sb.append(preamble).append("\n\n");
        }
        sb.append("### Instruction:\n").append(r.instruction).append("\n\n");
        if (withInput) {
            sb.append("### Input:\n").append(r.input).append("\n\n");
        }
        return sb.append(variant.responseHeader).toString();
    }

    /** A conversation read as one Alpaca record; anything else is an error that points at multi-turn templates. */
    private record Record(String system, String instruction, String input, String output) {
        static Record of(Conversation c) {
            List<Message> m = c.messages();
            int i = 0;
            String system = null;
            if (i < m.size() && m.get(i).role() == Role.SYSTEM) {
                system = m.get(i++).content();
            }
            if (i >= m.size() || m.get(i).role() != Role.USER) {
                throw shape(m);
            }
            String instruction = m.get(i++).content();
            String output = null;
            if (i < m.size() && m.get(i).role() == Role.ASSISTANT) {
                output = m.get(i++).content();
            }
            if (i != m.size()) {
                throw shape(m);
            }
            return new Record(system, instruction, c.input(), output);
        }

        private static IbexException shape(List<Message> m) {
            return new IbexException("chat template alpaca takes an optional system turn, one user instruction and at"
                    + " most one reply; this conversation has turns " + Conversations.roles(m)
                    + ". Use the guanaco or chatml template for multi-turn conversations");
        }
    }
}
