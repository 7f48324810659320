package dev.ibex.api.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code decoder} of a tokenizer.json. Like the Rust crate, each decoder maps the list of token strings to a new
 * list ({@code decode_chain}), and the final list is concatenated; some decoders (Fuse, ByteLevel) collapse it to one
 * string, which matters for those that follow (Strip then acts once, on the whole text).
 */
sealed interface Decoder {
    /** What invalid UTF-8 becomes. */
    String REPLACEMENT = "\uFFFD";

    List<String> decodeChain(List<String> tokens);

    default String decode(List<String> tokens) {
        return String.join("", decodeChain(tokens));
    }

    /** Whether this decoder, or one in its sequence, reads byte tokens such as {@code <0x0A>}. */
    default boolean readsByteTokens() {
        return this instanceof ByteFallback || (this instanceof Sequence s && s.steps().stream().anyMatch(
                Decoder::readsByteTokens));
    }

    record Sequence(List<Decoder> steps) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            for (Decoder step : steps) {
                tokens = step.decodeChain(tokens);
            }
            return tokens;
        }
    }

    /** Bytes from GPT-2's alphabet, concatenated and read as UTF-8, invalid sequences replaced by U+FFFD. */
    record ByteLevelBytes() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String token : tokens) {
                ByteLevel.decode(token, bytes);
            }
            // Java's decoder replaces each maximal invalid subsequence, as Rust's from_utf8_lossy does.
            return List.of(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * "▁" back to spaces. In the first token every replacement character is dropped unless the scheme is "never": the
     * Rust crate's rule, which undoes the prepended "▁".
     */
    record Metaspace(String replacement, boolean dropInFirst) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                out.add(tokens.get(i).replace(replacement, i == 0 && dropInFirst ? "" : " "));
            }
            return out;
        }
    }

    /** Replaces a literal or regex in each token. */
    record Replace(Pattern pattern, String literal, String content) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String token : tokens) {
                out.add(literal != null ? token.replace(literal, content)
                        : pattern.matcher(token).replaceAll(Matcher.quoteReplacement(content)));
            }
            return out;
        }
    }

    /**
     * Runs of byte tokens ({@code <0x0A>}) become the text their bytes spell; a run that is not valid UTF-8 becomes one
     * U+FFFD per byte, as in the Rust crate.
     */
    record ByteFallback() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            for (String token : tokens) {
                int b = byteOf(token);
                if (b >= 0) {
                    pending.write(b);
                    continue;
                }
                flush(pending, out);
                out.add(token);
            }
            flush(pending, out);
            return out;
        }

        static int byteOf(String token) {
            if (token.length() == 6 && token.startsWith("<0x") && token.charAt(5) == '>') {
                int hi = hex(token.charAt(3));
                int lo = hex(token.charAt(4));
                if (hi >= 0 && lo >= 0) {
                    return hi * 16 + lo;
                }
            }
            return -1;
        }

        private static int hex(char c) {
            return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        }

        private static void flush(ByteArrayOutputStream pending, List<String> out) {
            if (pending.size() == 0) {
                return;
            }
            try {
                out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(pending.toByteArray())).toString());
            } catch (CharacterCodingException e) {
                for (int i = 0; i < pending.size(); i++) {
                    out.add(REPLACEMENT);
                }
            }
            pending.reset();
        }
    }

    /** Joins all tokens into one. */
    record Fuse() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters from each token. */
    record Strip(int content, int start, int stop) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String token : tokens) {
                int[] chars = token.codePoints().toArray();
                int from = 0;
                while (from < start && from < chars.length && chars[from] == content) {
                    from++;
                }
                int to = chars.length;
                for (int i = 0; i < stop && to > 0 && chars[to - 1] == content; i++) {
                    to--;
                }
                out.add(from >= to ? "" : new String(chars, from, to - from));
            }
            return out;
        }
    }

    /** Subword-suffix BPE ({@code </w>}): the suffix becomes a space, except in the last token. */
    record BpeSuffix(String suffix) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
            }
            return out;
        }
    }
}
