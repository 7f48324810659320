package dev.ibex.api.tokenizer;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code normalizer} of a tokenizer.json: rewrites text before it is split. Offsets are not tracked, since Ibex
 * needs ids and text, not alignments.
 */
sealed interface Normalizer {

    String normalize(String text);

    /** Runs each normalizer in turn. */
    record Sequence(List<Normalizer> steps) implements Normalizer {
        @Override
        public String normalize(String text) {
            for (Normalizer step : steps) {
                text = step.normalize(text);
            }
            return text;
        }
    }

    /** Prepends a string to non-empty text (SentencePiece's "▁" in legacy LLaMA files). */
    record Prepend(String prefix) implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.isEmpty() ? text : prefix + text;
        }
    }

    /** Replaces every match of a literal or a regex. */
    record Replace(Pattern pattern, String literal, String content) implements Normalizer {
        @Override
        public String normalize(String text) {
            return literal != null ? text.replace(literal, content)
                    : pattern.matcher(text).replaceAll(Matcher.quoteReplacement(content));
        }
    }

    /** NFC, NFD, NFKC or NFKD. */
    record Unicode(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public String normalize(String text) {
            return java.text.Normalizer.normalize(text, form);
        }
    }

    /**
     * Lower-cases each character on its own, as Rust's {@code char::to_lowercase} does: no final-sigma rule, but full
     * mappings ("İ" becomes two characters).
     */
    record Lowercase() implements Normalizer {
        @Override
        public String normalize(String text) {
            StringBuilder out = new StringBuilder(text.length());
            for (int i = 0; i < text.length(); ) {
                int c = text.codePointAt(i);
                int n = Character.charCount(c);
                if (c < 0x80) {
                    out.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
                } else {
                    out.append(text.substring(i, i + n).toLowerCase(Locale.ROOT));
                }
                i += n;
            }
            return out.toString();
        }
    }

    /** Removes leading and/or trailing White_Space. */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public String normalize(String text) {
            int start = 0;
            int end = text.length();
            if (left) {
                while (start < end && Chars.isWhitespace(text.codePointAt(start))) {
                    start += Character.charCount(text.codePointAt(start));
                }
            }
            if (right) {
                while (end > start && Chars.isWhitespace(text.codePointBefore(end))) {
                    end -= Character.charCount(text.codePointBefore(end));
                }
            }
            return text.substring(start, end);
        }
    }

    /** Removes combining marks; usually after NFD, so that "é" loses its accent. */
    record StripAccents() implements Normalizer {
        @Override
        public String normalize(String text) {
            StringBuilder out = new StringBuilder(text.length());
            text.codePoints().filter(c -> !Chars.isCombiningMark(c)).forEach(out::appendCodePoint);
            return out.toString();
        }
    }

    /** Writes every UTF-8 byte as its GPT-2 alphabet character (the ByteLevel normalizer). */
    record ByteLevelBytes() implements Normalizer {
        @Override
        public String normalize(String text) {
            return ByteLevel.encode(text);
        }
    }
}
