package dev.ibex.api.tokenizer;

import java.util.regex.Pattern;

/**
 * GPT-2's pre-tokenization regex, hand-compiled:
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
 *
 * <p>A scanner instead of {@link java.util.regex.Pattern} because this runs on every byte of every prompt and the
 * backtracking engine spends most of its time re-trying alternatives. It takes the first alternative that matches at
 * each position, as Oniguruma does; {@link #PATTERN} is the same expression for the regex engine, which the tests
 * compare against. The one subtle case is {@code \s+(?!\S)}: a whitespace run followed by a word gives up its last
 * character, so "a   b" splits as "a", "  ", " b".
 */
final class Gpt2Split {
    static final String REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** The expression for Java's engine; {@code \s} must be Unicode White_Space, as in Oniguruma. */
    static final Pattern PATTERN = Pattern.compile(REGEX, Pattern.UNICODE_CHARACTER_CLASS);

    /** Receives the [start, end) of each match. */
    interface Sink {
        void match(int start, int end);
    }

    private Gpt2Split() {
    }

    /** Calls {@code sink} for every match of the regex in {@code s}, left to right. Matches cover all of {@code s}. */
    static void split(String s, Sink sink) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            int end = matchAt(s, i, n);
            sink.match(i, end);
            i = end;
        }
    }

    private static int matchAt(String s, int i, int n) {
        char c = s.charAt(i);
        if (c == '\'') {
            int end = contraction(s, i, n);
            if (end > 0) {
                return end;
            }
        }
        int start = i;
        int first = s.codePointAt(i);
        if (first == ' ' && i + 1 < n) {
            // " ?X+" alternatives: the optional space binds to the class of the character after it.
            int next = s.codePointAt(i + 1);
            if (Chars.isLetter(next)) {
                return run(s, i + 1, n, CLASS_LETTER);
            }
            if (Chars.isNumber(next)) {
                return run(s, i + 1, n, CLASS_NUMBER);
            }
            if (!Chars.isWhitespace(next)) {
                return run(s, i + 1, n, CLASS_OTHER);
            }
        }
        if (Chars.isLetter(first)) {
            return run(s, start, n, CLASS_LETTER);
        }
        if (Chars.isNumber(first)) {
            return run(s, start, n, CLASS_NUMBER);
        }
        if (!Chars.isWhitespace(first)) {
            return run(s, start, n, CLASS_OTHER);
        }
        int end = run(s, start, n, CLASS_SPACE);
        if (end == n) {
            return end;
        }
        // \s+(?!\S): back off one character so the run ends before whitespace, not before the next word; a run of one
        // cannot back off and falls through to \s+.
        int lastStart = s.offsetByCodePoints(end, -1);
        return lastStart > start ? lastStart : end;
    }

    /** The end of "'s", "'t", "'re", "'ve", "'m", "'ll" or "'d" at {@code i}, or -1. Case-sensitive, like the regex. */
    private static int contraction(String s, int i, int n) {
        if (i + 1 >= n) {
            return -1;
        }
        char a = s.charAt(i + 1);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return i + 2;
        }
        if (i + 2 < n) {
            char b = s.charAt(i + 2);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return i + 3;
            }
        }
        return -1;
    }

    private static final int CLASS_LETTER = 0;
    private static final int CLASS_NUMBER = 1;
    private static final int CLASS_OTHER = 2;
    private static final int CLASS_SPACE = 3;

    /** The end of the run of {@code cls} characters starting at {@code i} (which is in the class). */
    private static int run(String s, int i, int n, int cls) {
        int j = i;
        while (j < n) {
            int c = s.codePointAt(j);
            boolean in = switch (cls) {
                case CLASS_LETTER -> Chars.isLetter(c);
                case CLASS_NUMBER -> Chars.isNumber(c);
                case CLASS_SPACE -> Chars.isWhitespace(c);
                default -> !Chars.isWhitespace(c) && !Chars.isLetter(c) && !Chars.isNumber(c);
            };
            if (!in) {
                break;
            }
            j += Character.charCount(c);
        }
        return j;
    }
}
