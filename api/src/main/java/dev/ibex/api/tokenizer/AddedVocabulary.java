package dev.ibex.api.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Added tokens ({@code <s>}, {@code <|endoftext|>}, {@code <|im_start|>}…), found in the text before the model sees
 * it. As in the Rust crate: tokens with {@code normalized: false} are matched in the raw text, the others in each
 * normalized remainder; the leftmost match wins, the longest among those starting there; a
 * {@code single_word} token only matches between non-word characters; {@code lstrip}/{@code rstrip} swallow the
 * whitespace beside it.
 */
final class AddedVocabulary {

    /** One added token, with the flags of tokenizer.json's {@code added_tokens}. */
    record Token(String content, int id, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
                 boolean normalized) {
    }

    /** A stretch of text: either an added token's id, or text for the model ({@code id == -1}). */
    record Section(String text, int id, boolean first) {
    }

    private final Map<Integer, Token> byId;
    private final Map<String, Integer> idByContent;
    /** What decoding shows for each id: the normalized form of a normalized token, as the Rust crate keeps it. */
    private final Map<Integer, String> shownById;
    private final Trie raw;
    private final Trie normalized;

    /**
     * @param tokens     the tokens, ids already assigned, later entries replacing earlier ones with the same content
     * @param normalizer used to find the normalized form of normalized tokens; may be null
     */
    AddedVocabulary(Collection<Token> tokens, Normalizer normalizer) {
        Map<Integer, Token> ids = new LinkedHashMap<>();
        for (Token t : tokens) {
            ids.put(t.id(), t);
        }
        byId = Map.copyOf(ids);
        idByContent = new HashMap<>();
        shownById = new HashMap<>();
        raw = new Trie();
        normalized = new Trie();
        for (Token t : ids.values()) {
            idByContent.put(t.content(), t.id());
            String pattern = t.content();
            if (t.normalized() && normalizer != null) {
                pattern = normalizer.normalize(t.content());
            }
            shownById.put(t.id(), pattern);
            (t.normalized() ? normalized : raw).add(pattern, t);
        }
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    Token byId(int id) {
        return byId.get(id);
    }

    Integer idOf(String content) {
        return idByContent.get(content);
    }

    /** The text an id decodes to, or null if it is not an added token. */
    String shown(int id) {
        return shownById.get(id);
    }

    Collection<Token> tokens() {
        return byId.values();
    }

    /** Splits raw text on the tokens matched before normalization. */
    List<Section> splitRaw(String text, boolean splitSpecial) {
        return split(text, raw, splitSpecial, true);
    }

    /** Splits one normalized remainder on the normalized tokens. */
    List<Section> splitNormalized(String text, boolean splitSpecial, boolean first) {
        return split(text, normalized, splitSpecial, first);
    }

    /**
     * Rust's {@code find_matches}. {@code splitSpecial == false} leaves special tokens as plain text, as
     * {@code encode_special_tokens} does.
     */
    private static List<Section> split(String text, Trie trie, boolean splitSpecial, boolean first) {
        List<Section> out = new ArrayList<>(4);
        if (trie.isEmpty() || text.isEmpty()) {
            if (!text.isEmpty()) {
                out.add(new Section(text, -1, first));
            }
            return out;
        }
        int startOffset = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            Trie.Match match = trie.longestAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = match.end();
            Token token = match.token();
            i = stop;
            if (start < startOffset || (!splitSpecial && token.special())) {
                continue;
            }
            if (token.singleWord()) {
                boolean spaceBefore = start == 0 || !Chars.isWordChar(text.codePointBefore(start));
                boolean spaceAfter = stop == n || !Chars.isWordChar(text.codePointAt(stop));
                if (!spaceBefore || !spaceAfter) {
                    continue;
                }
            }
            if (token.lstrip()) {
                int s = start;
                while (s > startOffset && Chars.isWhitespace(text.codePointBefore(s))) {
                    s -= Character.charCount(text.codePointBefore(s));
                }
                start = s;
            }
            if (token.rstrip()) {
                while (stop < n && Chars.isWhitespace(text.codePointAt(stop))) {
                    stop += Character.charCount(text.codePointAt(stop));
                }
            }
            if (startOffset < start) {
                out.add(new Section(text.substring(startOffset, start), -1, first && startOffset == 0));
            }
            out.add(new Section(text.substring(start, stop), token.id(), first && start == 0));
            startOffset = stop;
        }
        if (startOffset < n) {
            out.add(new Section(text.substring(startOffset), -1, first && startOffset == 0));
        }
        return out;
    }

    /** A character trie over token contents, for leftmost-longest matching. */
    private static final class Trie {
        record Match(int end, Token token) {
        }

        private static final class Node {
            final Map<Character, Node> children = new HashMap<>(4);
            Token token;
        }

        private final Node root = new Node();
        /** Whether any token starts with a given char (below 0x10000 all are): skips the map lookup on most text. */
        private final boolean[] starts = new boolean[0x10000];

        boolean isEmpty() {
            return root.children.isEmpty();
        }

        void add(String content, Token token) {
            if (content.isEmpty()) {
                return;
            }
            Node node = root;
            for (int i = 0; i < content.length(); i++) {
                node = node.children.computeIfAbsent(content.charAt(i), c -> new Node());
            }
            node.token = token;
            starts[content.charAt(0)] = true;
        }

        Match longestAt(String text, int i) {
            if (!starts[text.charAt(i)]) {
                return null;
            }
            Node node = root;
            Match best = null;
            for (int j = i; j < text.length(); j++) {
                node = node.children.get(text.charAt(j));
                if (node == null) {
                    break;
                }
                if (node.token != null) {
                    best = new Match(j + 1, node.token);
                }
            }
            return best;
        }
    }
}
