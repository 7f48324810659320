package dev.ibex.api.tokenizer;

import dev.ibex.spi.text.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, the format of the Rust {@code tokenizers} library) that gives the
 * same ids as that library under Python transformers: added tokens are matched first, then the normalizer,
 * pre-tokenizer and BPE model run on the rest, and the post-processor adds BOS/EOS as the model's config asks.
 *
 * <p>Load a model folder or a tokenizer.json with {@link #load(Path)}. Thread-safe: one instance can encode on many
 * threads. For text generated one token at a time use {@link #streamDecoder(boolean)}.
 */
public final class HfTokenizer implements Tokenizer {
    private final Bpe model;
    private final AddedVocabulary added;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final boolean cleanUpSpaces;
    private final Set<String> specialContents;
    private final int vocabSize;
    private final OptionalInt bos;
    private final OptionalInt eos;
    private final OptionalInt pad;
    private final int[] stopIds;

    HfTokenizer(Bpe model, AddedVocabulary added, Normalizer normalizer, PreTokenizer preTokenizer,
                PostProcessor postProcessor, Decoder decoder, TokenizerConfig config, boolean cleanUpSpaces) {
        this.model = model;
        this.added = added;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        this.cleanUpSpaces = cleanUpSpaces;
        this.specialContents = added.tokens().stream().filter(AddedVocabulary.Token::special)
                .map(AddedVocabulary.Token::content).collect(Collectors.toUnmodifiableSet());
        this.vocabSize = Math.max(model.size(),
                added.tokens().stream().mapToInt(t -> t.id() + 1).max().orElse(0));
        this.bos = idOrElse(config.token("bos_token"), config.generationBos());
        this.eos = idOrElse(config.token("eos_token"),
                config.generationEos().isEmpty() ? null : config.generationEos().getFirst());
        this.pad = idOrElse(config.token("pad_token"), config.generationPad());
        Set<Integer> stops = new LinkedHashSet<>();
        eos.ifPresent(stops::add);
        stops.addAll(config.generationEos());
        this.stopIds = stops.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Loads a tokenizer from a model folder (tokenizer.json, or vocab.json + merges.txt, with tokenizer_config.json,
     * special_tokens_map.json and generation_config.json where present) or from a tokenizer.json path (its folder's
     * config files are read too).
     *
     * @throws dev.ibex.spi.IbexException naming the file and the problem when something is missing or malformed
     */
    public static HfTokenizer load(Path path) {
        return TokenizerLoader.load(path);
    }

    private OptionalInt idOrElse(String token, Integer fallback) {
        if (token != null) {
            OptionalInt id = tokenId(token);
            if (id.isPresent()) {
                return id;
            }
        }
        return fallback == null ? OptionalInt.empty() : OptionalInt.of(fallback);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        return encode(text, addSpecialTokens, true);
    }

    /**
     * Encodes {@code text}, choosing whether special tokens written in it count.
     *
     * @param addSpecialTokens   add the BOS/EOS the model's template asks for
     * @param matchSpecialTokens whether special-token text in {@code text} ("</s>", "<|endoftext|>") becomes the special
     *                           id; false encodes it as ordinary text, the safe choice for untrusted input such as a
     *                           chat user's message (transformers' {@code split_special_tokens=True}). Added tokens that
     *                           are not special are matched either way.
     */
    public int[] encode(String text, boolean addSpecialTokens, boolean matchSpecialTokens) {
        IntList out = new IntList(text.length() / 3 + 4);
        for (AddedVocabulary.Section section : added.splitRaw(text, matchSpecialTokens)) {
            if (section.id() >= 0) {
                out.add(section.id());
                continue;
            }
            String normalized = normalizer == null ? section.text() : normalizer.normalize(section.text());
            for (AddedVocabulary.Section part : added.splitNormalized(normalized, matchSpecialTokens,
                    section.first())) {
                if (part.id() >= 0) {
                    out.add(part.id());
                } else if (preTokenizer == null) {
                    model.tokenize(part.text(), out);
                } else {
                    preTokenizer.split(part.text(), part.first(), (piece, first) -> model.tokenize(piece, out));
                }
            }
        }
        int[] ids = out.toArray();
        return postProcessor == null ? ids : postProcessor.process(ids, addSpecialTokens);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        String text = decodeRaw(ids, 0, ids.length, skipSpecialTokens);
        return cleanUpSpaces ? cleanUp(text) : text;
    }

    /**
     * Decodes {@code ids[from, to)} as the Rust library does, without transformers' clean-up. Ids outside the
     * vocabulary are skipped, as there.
     */
    String decodeRaw(int[] ids, int from, int to, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            String token = tokenOrNull(ids[i]);
            if (token != null && !(skipSpecialTokens && specialContents.contains(token))) {
                tokens.add(token);
            }
        }
        return decoder == null ? String.join(" ", tokens) : decoder.decode(tokens);
    }

    /**
     * Whether the last of {@code ids[0, size)} that decoding keeps is a byte token ({@code <0xE2>}) read by a
     * ByteFallback decoder: its run of bytes may still grow, and a later byte can turn the whole run into U+FFFD.
     */
    boolean endsInOpenByteRun(int[] ids, int size, boolean skipSpecialTokens) {
        if (decoder == null || !decoder.readsByteTokens()) {
            return false;
        }
        for (int i = size - 1; i >= 0; i--) {
            String token = tokenOrNull(ids[i]);
            if (token != null && !(skipSpecialTokens && specialContents.contains(token))) {
                return Decoder.ByteFallback.byteOf(token) >= 0;
            }
        }
        return false;
    }

    /** transformers' {@code clean_up_tokenization}: no space before punctuation and English contractions. */
    static String cleanUp(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    /**
     * A decoder for ids that arrive one at a time, as during generation.
     *
     * @param skipSpecialTokens leave out special tokens, as {@link #decode(int[], boolean)} does
     */
    public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
        return new StreamDecoder(this, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = added.idOf(token);
        if (id == null) {
            id = model.id(token);
        }
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if no token has this id
     */
    @Override
    public String token(int id) {
        String token = tokenOrNull(id);
        if (token == null) {
            throw new IllegalArgumentException("no token has id " + id + " (vocabulary size " + vocabSize + ")");
        }
        return token;
    }

    private String tokenOrNull(int id) {
        String shown = added.shown(id);
        return shown != null ? shown : model.token(id);
    }

    @Override
    public boolean isSpecial(int id) {
        AddedVocabulary.Token token = added.byId(id);
        return token != null && token.special();
    }

    @Override
    public OptionalInt bosId() {
        return bos;
    }

    @Override
    public OptionalInt eosId() {
        return eos;
    }

    @Override
    public OptionalInt padId() {
        return pad;
    }

    /**
     * Every id that ends generation: the EOS token and all of generation_config.json's {@code eos_token_id} (LLaMA 3
     * lists several).
     */
    public int[] stopIds() {
        return stopIds.clone();
    }
}
