package dev.ibex.templates;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Role;
import dev.ibex.spi.text.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * axolotl's {@code chat_template} prompt strategy ({@code ChatTemplateStrategy._tokenize_single_prompt} and
 * {@code find_turn} in {@code prompt_strategies/chat_template.py}):
 * <ol>
 *   <li>the whole rendered conversation is tokenized once, without added special tokens;</li>
 *   <li>a turn is trained when {@code train_on_inputs} is set or its role is in {@code roles_to_train}
 *       (default {@code [assistant]});</li>
 *   <li>a trained turn's content span is found by rendering the conversation up to that turn twice, once with the
 *       real content and once with the placeholder {@code [[dummy_message]]}, tokenizing both, and taking the first
 *       differing id from the front and the last differing id from the back; the template's own tokens around the
 *       content (the {@code <|im_start|>role\n} header, the newline after the end-of-turn) stay masked. Where the
 *       content's first token merges with the header, the merged token lies inside the diff and is trained, as in
 *       axolotl; an empty content has no span and trains nothing;</li>
 *   <li>the first end-of-turn token at or after the span's end, if no more than 3 ids away, is trained according
 *       to {@code train_on_eos}: {@code turn} (default) after each trained turn, {@code all} after every turn,
 *       {@code last} only after the last trained turn, {@code none} never.</li>
 * </ol>
 * axolotl looks for the tokenizer's EOS unless {@code eot_tokens} is set, and its documentation asks ChatML users to
 * make {@code <|im_end|>} that token; this class always uses the template's end-of-turn token, which is that setup.
 */
final class AxolotlEncoding {
    /** axolotl's placeholder content for locating a turn. */
    static final String DUMMY = "[[dummy_message]]";
    /** How far past a turn's content axolotl looks for its end-of-turn token ("allow for some template padding"). */
    private static final int EOT_WINDOW = 3;

    /** axolotl's {@code train_on_eos} values. */
    enum TrainOnEos {
        TURN, ALL, LAST, NONE;

        static List<String> names() {
            return List.of("turn", "all", "last", "none");
        }

        static TrainOnEos parse(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    private final String template;
    private final Function<List<Message>, String> render;
    private final Set<Role> rolesToTrain;
    private final TrainOnEos trainOnEos;
    private final String endOfTurn;

    /**
     * @param render     renders turns to text with no generation prompt
     * @param endOfTurn  the token that closes every turn ({@code <|im_end|>}); it must be one token
     */
    AxolotlEncoding(String template, Function<List<Message>, String> render, Set<Role> rolesToTrain,
                    TrainOnEos trainOnEos, String endOfTurn) {
        this.template = template;
        this.render = render;
        this.rolesToTrain = Set.copyOf(rolesToTrain);
        this.trainOnEos = trainOnEos;
        this.endOfTurn = endOfTurn;
    }

    EncodedExample encode(Conversation conversation, Tokenizer tokenizer, boolean trainOnInputs, int maxLength) {
        Encodings.checkMaxLength(maxLength);
        int eot = endOfTurnId(tokenizer);
        List<Message> turns = Conversations.turnsWithInput(conversation);
        int[] ids = tokenizer.encode(render.apply(turns), false);
        int[] labels = Encodings.ignored(ids.length);
        int lastEot = -1;
        for (int i = 0; i < turns.size(); i++) {
            boolean train = trainOnInputs || rolesToTrain.contains(turns.get(i).role());
            if (!train && trainOnEos != TrainOnEos.ALL) {
                continue;
            }
            int[] span = findTurn(turns, i, tokenizer);
            if (span == null) {
                continue;
            }
            if (train) {
                for (int t = span[0]; t < Math.min(span[1], ids.length); t++) {
                    labels[t] = ids[t];
                }
            }
            int at = indexOf(ids, eot, span[1]);
            if (at != -1 && at - span[1] <= EOT_WINDOW) {
                lastEot = at;
                if (trainOnEos == TrainOnEos.ALL || (trainOnEos == TrainOnEos.TURN && train)) {
                    labels[at] = ids[at];
                }
            }
        }
        if (trainOnEos == TrainOnEos.LAST && lastEot != -1) {
            labels[lastEot] = ids[lastEot];
        }
        return Encodings.cut(ids, labels, maxLength);
    }

    /** The ids {@code [start, end)} of turn {@code index}'s content, or null where axolotl finds none. */
    private int[] findTurn(List<Message> turns, int index, Tokenizer tokenizer) {
        List<Message> withDummy = new ArrayList<>(turns.subList(0, index));
        withDummy.add(new Message(turns.get(index).role(), DUMMY));
        int[] dummy = tokenizer.encode(render.apply(withDummy), false);
        int[] full = tokenizer.encode(render.apply(turns.subList(0, index + 1)), false);
        int common = Math.min(dummy.length, full.length);
        int start = -1;
        for (int i = 0; i < common; i++) {
            if (dummy[i] != full[i]) {
                start = i;
                break;
            }
        }
        int end = -1;
        for (int i = 0; i < common; i++) {
            if (dummy[dummy.length - 1 - i] != full[full.length - 1 - i]) {
                end = full.length - i;
                break;
            }
        }
        return start == -1 || end == -1 || end <= start ? null : new int[] {start, end};
    }

    private int endOfTurnId(Tokenizer tokenizer) {
        int[] ids = tokenizer.encode(endOfTurn, false);
        if (ids.length != 1) {
            throw new IbexException("chat template " + template + " needs " + endOfTurn + " to be a single token, but"
                    + " the tokenizer splits it into " + ids.length + " ids; add " + endOfTurn
                    + " (and <|im_start|>) to the tokenizer as special tokens");
        }
        return ids[0];
    }

    private static int indexOf(int[] ids, int id, int from) {
        for (int i = from; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }
}
