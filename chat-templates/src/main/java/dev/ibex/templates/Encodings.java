package dev.ibex.templates;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.text.Tokenizer;
import java.util.Arrays;

/** Small pieces every encoding needs: the special tokens, cutting to a length, masking. */
final class Encodings {
    private Encodings() {
    }

    static void checkMaxLength(int maxLength) {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive, not " + maxLength);
        }
    }

    static int eosId(Tokenizer tokenizer, String template) {
        return tokenizer.eosId().orElseThrow(() -> new IbexException("chat template " + template
                + " appends an EOS token, but the tokenizer has none; set eos_token in the tokenizer's config"));
    }

    /** The EOS token as text, for recipes that build strings such as {@code output + eos_token}. */
    static String eosText(Tokenizer tokenizer, String template) {
        return tokenizer.token(eosId(tokenizer, template));
    }

    /** The BOS token as text, or nothing for tokenizers without one (GPT-2, Falcon). */
    static String bosText(Tokenizer tokenizer) {
        return tokenizer.bosId().isPresent() ? tokenizer.token(tokenizer.bosId().getAsInt()) : "";
    }

    /** The first {@code n} ids, as Hugging Face's {@code truncation=True, max_length=n} keeps them. */
    static int[] head(int[] ids, int n) {
        return ids.length <= n ? ids : Arrays.copyOf(ids, n);
    }

    static EncodedExample cut(int[] ids, int[] labels, int maxLength) {
        return new EncodedExample(head(ids, maxLength), head(labels, maxLength));
    }

    static int[] ignored(int n) {
        int[] labels = new int[n];
        Arrays.fill(labels, EncodedExample.IGNORE);
        return labels;
    }

    static boolean startsWith(int[] ids, int[] prefix, int prefixLength) {
        if (prefixLength > ids.length) {
            return false;
        }
        return Arrays.equals(ids, 0, prefixLength, prefix, 0, prefixLength);
    }
}
