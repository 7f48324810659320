package dev.ibex.api.tokenizer;

/**
 * Character classes as the Rust {@code tokenizers} crate defines them. Java's own predicates differ in places
 * ({@link Character#isWhitespace} omits no-break spaces and counts the ASCII separators U+001C–U+001F), and one wrong
 * class is one wrong id, so each is spelled out here. All take code points.
 */
final class Chars {
    private Chars() {
    }

    /** Rust {@code char::is_whitespace} and Oniguruma's Unicode {@code \s}: the White_Space property. */
    static boolean isWhitespace(int c) {
        if (c < 0x80) {
            return c == ' ' || (c >= 0x09 && c <= 0x0D);
        }
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** {@code \p{L}}. */
    static boolean isLetter(int c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }
        return Character.isLetter(c);
    }

    /** {@code \p{N}} and Rust {@code char::is_numeric}: general categories Nd, Nl and No. */
    static boolean isNumber(int c) {
        if (c < 0x80) {
            return c >= '0' && c <= '9';
        }
        int type = Character.getType(c);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** Rust regex's Unicode {@code \w}: Alphabetic, marks, decimal digits, connector punctuation, join controls. */
    static boolean isWordChar(int c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }
        if (Character.isAlphabetic(c) || c == 0x200C || c == 0x200D) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.CONNECTOR_PUNCTUATION;
    }

    /** The Punctuation and Bert pre-tokenizers' test: ASCII punctuation (which includes $+<=>^`|~) or any P* category. */
    static boolean isPunctuation(int c) {
        if (c < 0x80) {
            return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60)
                    || (c >= 0x7B && c <= 0x7E);
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Combining marks (Mn, Mc, Me), which StripAccents removes. */
    static boolean isCombiningMark(int c) {
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }
}
