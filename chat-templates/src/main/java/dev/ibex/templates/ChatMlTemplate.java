package dev.ibex.templates;

import dev.ibex.spi.Options;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Role;
import dev.ibex.spi.chat.Segment;
import dev.ibex.spi.text.Tokenizer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ChatML as axolotl's {@code chatml.jinja} writes it: each turn {@code <|im_start|>{role}\n{content}<|im_end|>\n},
 * the generation prompt {@code <|im_start|>assistant\n}, no BOS. Training follows axolotl's {@code chat_template}
 * strategy with its defaults (see {@link AxolotlEncoding}): the content of assistant turns and the
 * {@code <|im_end|>} that closes each of them are trained; headers, the newline after {@code <|im_end|>} and the
 * other roles' turns are masked.
 */
final class ChatMlTemplate implements ChatTemplate {
    static final String NAME = "chatml";
    static final String IM_START = "<|im_start|>";
    static final String IM_END = "<|im_end|>";

    static final Set<String> OPTIONS = Set.of("roles_to_train", "train_on_eos");

    private final Set<Role> rolesToTrain;
    private final AxolotlEncoding.TrainOnEos trainOnEos;
    private final AxolotlEncoding encoding;

    private ChatMlTemplate(Set<Role> rolesToTrain, AxolotlEncoding.TrainOnEos trainOnEos) {
        this.rolesToTrain = rolesToTrain;
        this.trainOnEos = trainOnEos;
        // axolotl tokenizes the template's text with no generation prompt; render it from this template's own format.
        this.encoding = new AxolotlEncoding(NAME,
                turns -> Conversations.text(render(new Conversation(turns, ""), false)), rolesToTrain, trainOnEos, IM_END);
    }

    /**
     * Options, as axolotl's dataset keys: {@code roles_to_train} (default {@code [assistant]}; role names as in
     * datasets, so {@code gpt} and {@code human} work) and {@code train_on_eos} (turn | all | last | none, default
     * turn).
     */
    static ChatMlTemplate create(Map<String, Object> options) {
        Options o = Options.of("chat template " + NAME, options, OPTIONS);
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : o.strings("roles_to_train", List.of("assistant"))) {
            roles.add(Role.parse(name).orElseThrow(() -> new IbexException("chat template chatml: roles_to_train has"
                    + " unknown role \"" + name + "\"; roles are system, user (human), assistant (gpt)")));
        }
        String eos = o.choice("train_on_eos", "turn", AxolotlEncoding.TrainOnEos.names());
        return new ChatMlTemplate(roles, AxolotlEncoding.TrainOnEos.parse(eos));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Segments flagged as {@link #encode} trains them with {@code trainOnInputs} off. */
    @Override
    public List<Segment> render(Conversation conversation, boolean generationPrompt) {
        List<Message> turns = Conversations.turnsToRender(conversation, generationPrompt, NAME);
        int lastTrained = -1;
        for (int i = 0; i < turns.size(); i++) {
            if (rolesToTrain.contains(turns.get(i).role()) && !turns.get(i).content().isEmpty()) {
                lastTrained = i;
            }
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
            Message m = turns.get(i);
            // An empty content has no span for axolotl's diff, so neither it nor its end-of-turn is trained.
            boolean trained = rolesToTrain.contains(m.role()) && !m.content().isEmpty();
            boolean endTrained = switch (trainOnEos) {
                case TURN -> trained;
                case ALL -> !m.content().isEmpty();
                case LAST -> i == lastTrained;
                case NONE -> false;
            };
            segments.add(new Segment(IM_START + m.role().jsonName() + "\n", false));
            segments.add(new Segment(m.content(), trained));
            segments.add(new Segment(IM_END, endTrained));
            segments.add(new Segment("\n", false));
        }
        if (generationPrompt) {
            segments.add(new Segment(IM_START + "assistant\n", false));
        }
        return Conversations.merge(segments);
    }

    @Override
    public List<String> stopStrings() {
        return List.of(IM_END);
    }

    @Override
    public EncodedExample encode(Conversation conversation, Tokenizer tokenizer, boolean trainOnInputs, int maxLength) {
        return encoding.encode(conversation, tokenizer, trainOnInputs, maxLength);
    }
}
