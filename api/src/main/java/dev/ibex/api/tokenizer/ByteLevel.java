package dev.ibex.api.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's byte-to-character alphabet: every byte gets a printable character so that a byte-level vocabulary can be
 * stored as text. Bytes 33–126, 161–172 and 174–255 stand for themselves; the other 68 map, in order, to U+0100
 * onwards, so space is "Ġ" (U+0120) and newline "Ċ" (U+010A).
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by character; -1 where a character is not in the alphabet. */
    private static final int[] CHAR_TO_BYTE = new int[0x100 + 68];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (0x100 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** The piece's UTF-8 bytes, each written as its alphabet character. */
    static String encode(String piece) {
        StringBuilder out = new StringBuilder(piece.length() + 8);
        int n = piece.length();
        for (int i = 0; i < n; i++) {
            char c = piece.charAt(i);
            if (c < 0x80) {
                out.append(BYTE_TO_CHAR[c]);
            } else {
                // Rare outside ASCII text: encode the whole code point (one or two chars) to UTF-8.
                int end = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(piece.charAt(i + 1))
                        ? i + 2 : i + 1;
                for (byte b : piece.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    out.append(BYTE_TO_CHAR[b & 0xFF]);
                }
                i = end - 1;
            }
        }
        return out.toString();
    }

    /**
     * Appends the bytes a token stands for. A token with a character outside the alphabet (an added token such as
     * "<|im_start|>" is fine, "é" in an added token is not) contributes its own UTF-8 bytes, as the Rust decoder does.
     */
    static void decode(String token, ByteArrayOutputStream out) {
        int n = token.length();
        for (int i = 0; i < n; i++) {
            char c = token.charAt(i);
            if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
                byte[] raw = token.getBytes(StandardCharsets.UTF_8);
                out.write(raw, 0, raw.length);
                return;
            }
        }
        for (int i = 0; i < n; i++) {
            out.write(CHAR_TO_BYTE[token.charAt(i)]);
        }
    }

    static char charOf(int b) {
        return BYTE_TO_CHAR[b];
    }
}
