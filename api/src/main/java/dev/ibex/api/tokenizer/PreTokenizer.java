package dev.ibex.api.tokenizer;

import dev.ibex.api.tokenizer.SplitBehavior.PieceSink;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code pre_tokenizer} of a tokenizer.json: cuts normalized text into pieces that the model encodes one by one.
 * Empty pieces are never emitted. {@code first} tells a piece that starts the whole input from one that follows an
 * added token, which Metaspace's {@code prepend_scheme: "first"} needs.
 */
sealed interface PreTokenizer {

    void split(String text, boolean first, PieceSink out);

    /** Applies each pre-tokenizer to every piece the previous one produced. */
    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            run(0, text, first, out);
        }

        private void run(int step, String text, boolean first, PieceSink out) {
            if (step == steps.size()) {
                out.piece(text, first);
            } else {
                steps.get(step).split(text, first, (piece, f) -> run(step + 1, piece, f, out));
            }
        }
    }

    /**
     * GPT-2's pre-tokenizer: optionally a leading space, then the GPT-2 regex, then every UTF-8 byte written as its
     * alphabet character.
     */
    record ByteLevelSplit(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            String s = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
            if (s.isEmpty()) {
                return;
            }
            if (useRegex) {
                Gpt2Split.split(s, (start, end) -> out.piece(ByteLevel.encode(s.substring(start, end)), first && start == 0));
            } else {
                out.piece(ByteLevel.encode(s), first);
            }
        }
    }

    /** When Metaspace adds the replacement character in front of a piece. */
    enum PrependScheme { ALWAYS, FIRST, NEVER }

    /** SentencePiece-style: spaces become the replacement ("▁"), optionally prepended, optionally split before it. */
    record Metaspace(String replacement, PrependScheme scheme, boolean splitOnReplacement) implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            String s = text.replace(" ", replacement);
            boolean prepend = switch (scheme) {
                case ALWAYS -> true;
                case FIRST -> first;
                case NEVER -> false;
            };
            if (prepend && !s.startsWith(replacement)) {
                s = replacement + s;
            }
            if (splitOnReplacement) {
                int r = replacement.codePointAt(0);
                SplitBehavior.MERGED_WITH_NEXT.split(s, c -> c == r, first, out);
            } else if (!s.isEmpty()) {
                out.piece(s, first);
            }
        }
    }

    /** Splits on a regex (or an escaped literal), with a behaviour for the delimiters, optionally inverted. */
    record Split(Pattern regex, SplitBehavior behavior, boolean invert) implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            behavior.split(text, regex, invert, first, out);
        }
    }

    /** Isolates digits: each one, or each run. */
    record Digits(boolean individualDigits) implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            (individualDigits ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS)
                    .split(text, Chars::isNumber, first, out);
        }
    }

    /** Splits on punctuation characters, each one a delimiter. */
    record Punctuation(SplitBehavior behavior) implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            behavior.split(text, Chars::isPunctuation, first, out);
        }
    }

    /** Keeps the matches of {@code \w+|[^\w\s]+}: words and runs of symbols, without whitespace. */
    record Whitespace() implements PreTokenizer {
        private static final Pattern WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

        @Override
        public void split(String text, boolean first, PieceSink out) {
            SplitBehavior.REMOVED.split(text, WORDS, true, first, out);
        }
    }

    /** Splits on whitespace, dropping it. */
    record WhitespaceSplit() implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            SplitBehavior.REMOVED.split(text, Chars::isWhitespace, first, out);
        }
    }

    /** BERT's: drop whitespace, then isolate each punctuation character. */
    record Bert() implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            SplitBehavior.REMOVED.split(text, Chars::isWhitespace, first,
                    (piece, f) -> SplitBehavior.ISOLATED.split(piece, Chars::isPunctuation, f, out));
        }
    }

    /** Splits on one character, dropping it. */
    record CharDelimiter(int delimiter) implements PreTokenizer {
        @Override
        public void split(String text, boolean first, PieceSink out) {
            SplitBehavior.REMOVED.split(text, c -> c == delimiter, first, out);
        }
    }
}
