package dev.ibex.templates;

import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.text.Tokenizer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * alpaca-lora's training encoding ({@code tokenize} and {@code generate_and_tokenize_prompt} in tloen/alpaca-lora
 * {@code finetune.py}), step for step:
 * <ol>
 *   <li>the full prompt (prompt + response) is tokenized as one string with the tokenizer's special tokens (BOS)
 *       and cut to {@code cutoff_len};</li>
 *   <li>EOS is appended when the last id is not already EOS and the ids are shorter than the cutoff;</li>
 *   <li>labels are a copy of the ids;</li>
 *   <li>unless {@code train_on_inputs}, the first {@code len(tokenize(user_prompt))} labels become -100, where the
 *       user prompt is tokenized the same way (BOS included, same cutoff) with EOS appended only when the run's
 *       {@code add_eos_token} is set, and that length is then reduced by one whenever {@code add_eos_token} is set.</li>
 * </ol>
 * The mask is a token count, not a text position: when the prompt's last token would merge with the response's
 * first one, alpaca-lora masks the merged token with the prompt, and so does this class (it logs that once).
 * With {@code add_eos_token} and a prompt that fills the cutoff, no EOS was appended yet one is still subtracted, so
 * the last prompt token is trained; that, too, is alpaca-lora's behaviour and is kept.
 */
final class AlpacaLoraEncoding {
    private static final System.Logger LOG = System.getLogger(AlpacaLoraEncoding.class.getName());
    private static final AtomicBoolean WARNED_MERGE = new AtomicBoolean();

    private AlpacaLoraEncoding() {
    }

    static EncodedExample encode(String userPrompt, String fullPrompt, Tokenizer tokenizer, boolean trainOnInputs,
                                 int cutoffLen, boolean addEosToken, String template) {
        Encodings.checkMaxLength(cutoffLen);
        int eos = Encodings.eosId(tokenizer, template);
        int[] ids = tokenize(fullPrompt, tokenizer, cutoffLen, eos, true);
        int[] labels = ids.clone();
        if (!trainOnInputs) {
            int[] user = tokenize(userPrompt, tokenizer, cutoffLen, eos, addEosToken);
            int userPromptLen = addEosToken ? user.length - 1 : user.length;
            // Python's [-100] * n + labels[n:] would grow the list past the ids; no real prompt is longer than
            // prompt + response, but the labels must keep the ids' length whatever the tokenizer does.
            int masked = Math.min(userPromptLen, ids.length);
            Arrays.fill(labels, 0, masked, EncodedExample.IGNORE);
            warnIfMerged(ids, user, masked, template);
        }
        return new EncodedExample(ids, labels);
    }

    /** alpaca-lora's {@code tokenize(prompt, add_eos_token)}. */
    private static int[] tokenize(String prompt, Tokenizer tokenizer, int cutoffLen, int eos, boolean addEosToken) {
        int[] ids = Encodings.head(tokenizer.encode(prompt, true), cutoffLen);
        boolean endsWithEos = ids.length > 0 && ids[ids.length - 1] == eos;
        if (!endsWithEos && ids.length < cutoffLen && addEosToken) {
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = eos;
        }
        return ids;
    }

    private static void warnIfMerged(int[] full, int[] user, int masked, String template) {
        if (!Encodings.startsWith(full, user, Math.min(masked, user.length)) && WARNED_MERGE.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "chat template " + template + ": in at least one example the prompt's"
                    + " last token merges with the response's first token; as in alpaca-lora the mask counts prompt"
                    + " tokens, so that merged token is masked with the prompt");
        }
    }
}
