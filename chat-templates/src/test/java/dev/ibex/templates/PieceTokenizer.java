package dev.ibex.templates;

import dev.ibex.spi.text.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A deterministic tokenizer for template tests. Special tokens written in the text are matched first
 * ({@code <unk>} 0, {@code <s>} 1, {@code </s>} 2, {@code <|im_start|>} 3, {@code <|im_end|>} 4); the text between
 * them is cut greedily into the longest of a few multi-character pieces (ids 10, 11, … in the order given), else
 * one token per code point (id 1000 + code point). Switches mimic the behaviours of real tokenizers that matter to
 * masking: adding a BOS (LLaMA) or not (GPT-2), SentencePiece's legacy "▁" in front of every run of text, merges
 * across a prompt/response boundary (a piece such as {@code "\nHe"}), and a vocabulary without ChatML tokens.
 */
final class PieceTokenizer implements Tokenizer {
    static final int UNK = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final int IM_START = 3;
    static final int IM_END = 4;
    static final int PIECE_BASE = 10;
    static final int CHAR_BASE = 1000;
    /** The id of SentencePiece's word-start mark "▁" (U+2581). */
    static final int SPACE_MARK = CHAR_BASE + 0x2581;
    private static final List<String> SPECIALS = List.of("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>");

    private final boolean addBos;
    private final boolean spacePrefix;
    private final boolean chatMlTokens;
    private final List<String> pieces;

    private PieceTokenizer(boolean addBos, boolean spacePrefix, boolean chatMlTokens, List<String> pieces) {
        this.addBos = addBos;
        this.spacePrefix = spacePrefix;
        this.chatMlTokens = chatMlTokens;
        this.pieces = List.copyOf(pieces);
    }

    /** Adds BOS with special tokens, as LLaMA's tokenizer does; one token per character. */
    static PieceTokenizer withBos() {
        return new PieceTokenizer(true, false, true, List.of());
    }

    /** Has no BOS at all, as GPT-2's and Falcon's tokenizers. */
    static PieceTokenizer withoutBos() {
        return new PieceTokenizer(false, false, true, List.of());
    }

    PieceTokenizer spacePrefix() {
        return new PieceTokenizer(addBos, true, chatMlTokens, pieces);
    }

    PieceTokenizer withoutChatMlTokens() {
        return new PieceTokenizer(addBos, spacePrefix, false, pieces);
    }

    PieceTokenizer pieces(String... more) {
        return new PieceTokenizer(addBos, spacePrefix, chatMlTokens, List.of(more));
    }

    /** The id of the {@code index}-th piece. */
    static int piece(int index) {
        return PIECE_BASE + index;
    }

    /** One id per code point: the ids of text where no piece applies. */
    static int[] chars(String text) {
        return text.codePoints().map(c -> CHAR_BASE + c).toArray();
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        List<Integer> out = new ArrayList<>();
        if (addSpecialTokens && addBos) {
            out.add(BOS);
        }
        StringBuilder run = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int special = specialAt(text, i);
            if (special >= 0) {
                flush(run, out);
                out.add(special);
                i += SPECIALS.get(special).length();
            } else {
                run.append(text.charAt(i++));
            }
        }
        flush(run, out);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private int specialAt(String text, int at) {
        for (int id = 0; id < SPECIALS.size(); id++) {
            if ((chatMlTokens || id < IM_START) && text.startsWith(SPECIALS.get(id), at)) {
                return id;
            }
        }
        return -1;
    }

    private void flush(StringBuilder run, List<Integer> out) {
        if (run.isEmpty()) {
            return;
        }
        String s = spacePrefix ? "\u2581" + run : run.toString();
        run.setLength(0);
        int j = 0;
        while (j < s.length()) {
            int best = -1;
            for (int p = 0; p < pieces.size(); p++) {
                if (s.startsWith(pieces.get(p), j) && (best < 0 || pieces.get(p).length() > pieces.get(best).length())) {
                    best = p;
                }
            }
            if (best >= 0) {
                out.add(piece(best));
                j += pieces.get(best).length();
            } else {
                int cp = s.codePointAt(j);
                out.add(CHAR_BASE + cp);
                j += Character.charCount(cp);
            }
        }
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (!(skipSpecialTokens && isSpecial(id))) {
                sb.append(token(id));
            }
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return CHAR_BASE + Character.MAX_CODE_POINT + 1;
    }

    @Override
    public OptionalInt tokenId(String token) {
        int special = SPECIALS.indexOf(token);
        if (special >= 0 && (chatMlTokens || special < IM_START)) {
            return OptionalInt.of(special);
        }
        int p = pieces.indexOf(token);
        if (p >= 0) {
            return OptionalInt.of(piece(p));
        }
        return token.codePointCount(0, token.length()) == 1 ? OptionalInt.of(CHAR_BASE + token.codePointAt(0))
                : OptionalInt.empty();
    }

    @Override
    public String token(int id) {
        if (id < SPECIALS.size()) {
            return SPECIALS.get(id);
        }
        if (id >= CHAR_BASE) {
            return Character.toString(id - CHAR_BASE);
        }
        return pieces.get(id - PIECE_BASE);
    }

    @Override
    public boolean isSpecial(int id) {
        return id < SPECIALS.size();
    }

    @Override
    public OptionalInt bosId() {
        return addBos ? OptionalInt.of(BOS) : OptionalInt.empty();
    }

    @Override
    public OptionalInt eosId() {
        return OptionalInt.of(EOS);
    }

    @Override
    public OptionalInt padId() {
        return OptionalInt.empty();
    }
}
