package dev.ibex.templates;

import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.chat.Segment;
import dev.ibex.spi.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * qlora's {@code DataCollatorForCausalLM} (artidoro/qlora {@code qlora.py}): {@code source = bos_token + input},
 * {@code target = output + eos_token}, each tokenized on its own without added special tokens (the BOS and EOS are
 * written in the text, so the tokenizer matches them as special tokens), source truncated to
 * {@code source_max_len} and target to {@code target_max_len}, ids = source + target, labels -100 over the source
 * unless {@code train_on_source}.
 *
 * <p>Because source and target are tokenized separately, the boundary between masked and trained ids is a token
 * boundary by construction; a SentencePiece tokenizer starts each piece with its own "▁", exactly as in qlora.
 *
 * <p>Multi-turn conversations extend the rule piecewise: the rendered segments alternate source (masked) and
 * target (trained) spans, each tokenized on its own; the BOS opens the first source and the EOS closes the last
 * target only. A single-turn conversation is therefore exactly qlora's input/output pair.
 */
final class QloraEncoding {
    private QloraEncoding() {
    }

    /**
     * @param segments      rendered text; trainable segments are targets, the others sources
     * @param sourceMaxLen  qlora's {@code source_max_len}, applied to each source piece, if set
     * @param targetMaxLen  qlora's {@code target_max_len}, applied to each target piece, if set
     * @param maxLength     the whole example is cut to this many ids afterwards
     */
    static EncodedExample encode(List<Segment> segments, Tokenizer tokenizer, boolean trainOnInputs, int maxLength,
                                 OptionalInt sourceMaxLen, OptionalInt targetMaxLen, String template) {
        Encodings.checkMaxLength(maxLength);
        List<Segment> pieces = new ArrayList<>(Conversations.merge(segments));
        // qlora always has both strings: an empty input still gives source = bos, an empty output target = eos.
        if (pieces.isEmpty() || pieces.getFirst().trainable()) {
            pieces.addFirst(new Segment("", false));
        }
        if (!pieces.getLast().trainable()) {
            pieces.addLast(new Segment("", true));
        }
        pieces.set(0, new Segment(Encodings.bosText(tokenizer) + pieces.getFirst().text(), false));
        int last = pieces.size() - 1;
        pieces.set(last, new Segment(pieces.get(last).text() + Encodings.eosText(tokenizer, template), true));

        IdsAndLabels out = new IdsAndLabels();
        for (Segment piece : pieces) {
            OptionalInt limit = piece.trainable() ? targetMaxLen : sourceMaxLen;
            int[] ids = tokenizer.encode(piece.text(), false);
            if (limit.isPresent()) {
                ids = Encodings.head(ids, limit.getAsInt());
            }
            out.add(ids, piece.trainable() || trainOnInputs);
        }
        return out.build(maxLength);
    }

    /** Growing id and label arrays. */
    private static final class IdsAndLabels {
        private int[] ids = new int[64];
        private int[] labels = new int[64];
        private int size;

        void add(int[] more, boolean trained) {
            if (size + more.length > ids.length) {
                int capacity = Math.max(ids.length * 2, size + more.length);
                ids = Arrays.copyOf(ids, capacity);
                labels = Arrays.copyOf(labels, capacity);
            }
            for (int id : more) {
                ids[size] = id;
                labels[size] = trained ? id : EncodedExample.IGNORE;
                size++;
            }
        }

        EncodedExample build(int maxLength) {
            int n = Math.min(size, maxLength);
            return new EncodedExample(Arrays.copyOf(ids, n), Arrays.copyOf(labels, n));
        }
    }
}
