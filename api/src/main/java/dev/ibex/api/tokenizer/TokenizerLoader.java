package dev.ibex.api.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Assembles an {@link HfTokenizer} the way {@code AutoTokenizer.from_pretrained} does for a fast tokenizer: the
 * tokenizer.json pipeline, then the config files' added and special tokens, then the class-specific rules (LLaMA's
 * tokenizer rebuilds its template from {@code add_bos_token}/{@code add_eos_token}; GPT-2's takes
 * {@code add_prefix_space} from the config).
 */
final class TokenizerLoader {
    /**
     * Classes whose fast tokenizer rebuilds its post-processor from {@code add_bos_token} (default true) and
     * {@code add_eos_token} (default false) whatever tokenizer.json says ({@code LlamaTokenizerFast.update_post_processor}).
     */
    private static final Set<String> REBUILDS_TEMPLATE = Set.of("LlamaTokenizer", "LlamaTokenizerFast",
            "CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast");

    /**
     * Classes whose fast tokenizer sets a top-level ByteLevel pre-tokenizer's {@code add_prefix_space} to the config's
     * value, false when the config has none ({@code GPT2TokenizerFast.__init__}).
     */
    private static final Set<String> SETS_PREFIX_SPACE = Set.of("GPT2Tokenizer", "GPT2TokenizerFast");

    private TokenizerLoader() {
    }

    static HfTokenizer load(Path path) {
        if (!Files.exists(path)) {
            throw new IbexException(path + ": no such file or folder");
        }
        Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        TokenizerConfig config = TokenizerConfig.read(folder);
        JsonNode root;
        String source;
        if (Files.isRegularFile(file)) {
            root = Json.read(file);
            source = file.toString();
        } else if (Gpt2Files.present(folder)) {
            root = Gpt2Files.convert(folder, config);
            source = folder.resolve("vocab.json") + " + merges.txt";
        } else {
            throw new IbexException(folder + ": no tokenizer.json (nor vocab.json + merges.txt) in this folder");
        }
        return build(root, config, source);
    }

    /** Builds from a parsed tokenizer.json and its config; {@code source} names the file in messages. */
    static HfTokenizer build(JsonNode root, TokenizerConfig config, String source) {
        if (!root.isObject()) {
            throw new IbexException(source + ": expected a JSON object");
        }
        if (root.has("version") && !root.get("version").asText().equals("1.0")) {
            throw new IbexException(source + ": unknown tokenizer.json version '" + root.get("version").asText()
                    + "' (Ibex reads 1.0)");
        }
        TokenizerJson json = new TokenizerJson(source);
        Bpe model = json.model(root.path("model"), Bpe.DEFAULT_CACHE_CAPACITY);
        Normalizer normalizer = json.normalizer(root.path("normalizer"));
        PreTokenizer preTokenizer = json.preTokenizer(root.path("pre_tokenizer"));
        PostProcessor postProcessor = json.postProcessor(root.path("post_processor"));
        Decoder decoder = json.decoder(root.path("decoder"));

        AddedTokens added = new AddedTokens(model);
        added.add(json.addedTokens(root).stream().map(t -> new TokenizerConfig.TokenSpec(t.content(), t.special(),
                t.singleWord(), t.lstrip(), t.rstrip(), t.normalized())).toList());
        // transformers then adds what the config files declare and tokenizer.json lacks, in one add_tokens call.
        List<TokenizerConfig.TokenSpec> fromConfig = new ArrayList<>();
        for (TokenizerConfig.TokenSpec spec : config.addedTokensDecoder().values()) {
            if (!added.hasIdentical(spec)) {
                fromConfig.add(spec);
            }
        }
        List<TokenizerConfig.TokenSpec> specials = new ArrayList<>(config.specialTokens().values());
        specials.addAll(config.additionalSpecial());
        for (TokenizerConfig.TokenSpec spec : specials) {
            if (added.idOf(spec.content()) == null && fromConfig.stream().noneMatch(t -> t.content().equals(spec.content()))) {
                fromConfig.add(spec);
            }
        }
        added.add(fromConfig);
        AddedVocabulary vocabulary = new AddedVocabulary(added.tokens(), normalizer);

        if (config.tokenizerClass() != null && REBUILDS_TEMPLATE.contains(config.tokenizerClass())) {
            postProcessor = llamaTemplate(config, vocabulary, model, source);
        }
        if (config.tokenizerClass() != null && SETS_PREFIX_SPACE.contains(config.tokenizerClass())
                && preTokenizer instanceof PreTokenizer.ByteLevelSplit byteLevel) {
            preTokenizer = new PreTokenizer.ByteLevelSplit(Boolean.TRUE.equals(config.addPrefixSpace()),
                    byteLevel.useRegex());
        }
        return new HfTokenizer(model, vocabulary, normalizer, preTokenizer, postProcessor, decoder, config,
                Boolean.TRUE.equals(config.cleanUpSpaces()));
    }

    /** {@code LlamaTokenizerFast.update_post_processor}: {@code [bos] $A [eos]} as the two flags say. */
    private static PostProcessor llamaTemplate(TokenizerConfig config, AddedVocabulary vocabulary, Bpe model,
                                               String source) {
        boolean addBos = config.addBosToken() == null || config.addBosToken();
        boolean addEos = Boolean.TRUE.equals(config.addEosToken());
        List<int[]> items = new ArrayList<>();
        if (addBos) {
            items.add(new int[] {requireId(config, "bos_token", vocabulary, model, source)});
        }
        items.add(PostProcessor.Template.SEQUENCE);
        if (addEos) {
            items.add(new int[] {requireId(config, "eos_token", vocabulary, model, source)});
        }
        return new PostProcessor.Template(List.copyOf(items));
    }

    private static int requireId(TokenizerConfig config, String key, AddedVocabulary vocabulary, Bpe model,
                                 String source) {
        String token = config.token(key);
        Integer id = token == null ? null : vocabulary.idOf(token) != null ? vocabulary.idOf(token) : model.id(token);
        if (id == null) {
            String flag = key.equals("bos_token") ? "add_bos_token" : "add_eos_token";
            throw new IbexException(source + ": tokenizer_config.json sets " + flag + " but " + key
                    + (token == null ? " is not set" : " '" + token + "' is not in the vocabulary"));
        }
        return id;
    }

    /** The Rust crate's {@code AddedVocabulary::add_tokens}: how added tokens get their ids. */
    private static final class AddedTokens {
        private final Bpe model;
        private final Map<String, Integer> idByContent = new LinkedHashMap<>();
        private final Map<Integer, AddedVocabulary.Token> byId = new LinkedHashMap<>();

        AddedTokens(Bpe model) {
            this.model = model;
        }

        Integer idOf(String content) {
            return idByContent.get(content);
        }

        boolean hasIdentical(TokenizerConfig.TokenSpec spec) {
            Integer id = idByContent.get(spec.content());
            return id != null && byId.get(id).equals(token(spec, id));
        }

        /**
         * A token keeps the id its content already has (as an added token, else in the model vocabulary); a new one
         * takes the next id after both, computed once per call as the Rust crate does.
         */
        void add(List<TokenizerConfig.TokenSpec> specs) {
            int next = byId.keySet().stream().mapToInt(Integer::intValue).max()
                    .stream().map(max -> max >= model.count() || model.count() == 0 ? max + 1 : model.count())
                    .findFirst().orElse(model.count());
            for (TokenizerConfig.TokenSpec spec : specs) {
                if (spec.content().isEmpty() || hasIdentical(spec)) {
                    continue;
                }
                Integer id = idByContent.get(spec.content());
                if (id == null) {
                    id = model.id(spec.content());
                }
                if (id == null) {
                    id = next++;
                }
                idByContent.put(spec.content(), id);
                byId.put(id, token(spec, id));
            }
        }

        private static AddedVocabulary.Token token(TokenizerConfig.TokenSpec spec, int id) {
            return new AddedVocabulary.Token(spec.content(), id, spec.special(), spec.singleWord(), spec.lstrip(),
                    spec.rstrip(), spec.normalized());
        }

        List<AddedVocabulary.Token> tokens() {
            return List.copyOf(byId.values());
        }
    }
}
