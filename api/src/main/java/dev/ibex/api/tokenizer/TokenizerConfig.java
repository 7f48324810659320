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
import java.util.TreeMap;

/**
 * What Hugging Face transformers reads beside tokenizer.json: {@code tokenizer_config.json},
 * {@code special_tokens_map.json} (whose entries win, as in {@code from_pretrained}) and {@code generation_config.json}.
 * Every file is optional.
 *
 * @param tokenizerClass      {@code tokenizer_class}, e.g. "LlamaTokenizer"; null if absent
 * @param specialTokens       bos_token, eos_token, unk_token, sep_token, pad_token, cls_token, mask_token, by key
 * @param additionalSpecial   {@code additional_special_tokens}
 * @param addedTokensDecoder  {@code added_tokens_decoder}, by id
 * @param addBosToken         {@code add_bos_token}, null if absent
 * @param addEosToken         {@code add_eos_token}, null if absent
 * @param addPrefixSpace      {@code add_prefix_space}, null if absent
 * @param cleanUpSpaces       {@code clean_up_tokenization_spaces}, null if absent
 * @param generationBos       generation_config's {@code bos_token_id}, null if absent
 * @param generationEos       generation_config's {@code eos_token_id} (one or several), empty if absent
 * @param generationPad       generation_config's {@code pad_token_id}, null if absent
 */
record TokenizerConfig(String tokenizerClass, Map<String, TokenSpec> specialTokens, List<TokenSpec> additionalSpecial,
                       Map<Integer, TokenSpec> addedTokensDecoder, Boolean addBosToken, Boolean addEosToken,
                       Boolean addPrefixSpace, Boolean cleanUpSpaces, Integer generationBos,
                       List<Integer> generationEos, Integer generationPad) {

    /** The special-token keys of transformers' {@code SpecialTokensMixin}, in its order. */
    static final List<String> SPECIAL_KEYS = List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
            "cls_token", "mask_token");

    /**
     * The special tokens a tokenizer class has when its config does not name them (the constructor defaults of the
     * transformers classes); a key set to null in the config means no token.
     */
    private static final Map<String, Map<String, String>> CLASS_DEFAULTS;

    static {
        Map<String, String> llama = Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>");
        Map<String, String> gemma = Map.of("bos_token", "<bos>", "eos_token", "<eos>", "unk_token", "<unk>",
                "pad_token", "<pad>");
        Map<String, String> gpt2 = Map.of("bos_token", "<|endoftext|>", "eos_token", "<|endoftext|>",
                "unk_token", "<|endoftext|>");
        CLASS_DEFAULTS = Map.of("LlamaTokenizer", llama, "LlamaTokenizerFast", llama, "CodeLlamaTokenizer", llama,
                "CodeLlamaTokenizerFast", llama, "GemmaTokenizer", gemma, "GemmaTokenizerFast", gemma,
                "GPT2Tokenizer", gpt2, "GPT2TokenizerFast", gpt2);
    }

    /** A token as the config files write it: a plain string, or an object with AddedToken's flags. */
    record TokenSpec(String content, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
                     boolean normalized) {
    }

    static final TokenizerConfig NONE = new TokenizerConfig(null, Map.of(), List.of(), Map.of(), null, null, null, null,
            null, List.of(), null);

    /** Reads whichever of the three files exist in {@code folder}. */
    static TokenizerConfig read(Path folder) {
        JsonNode config = optional(folder.resolve("tokenizer_config.json"));
        JsonNode map = optional(folder.resolve("special_tokens_map.json"));
        JsonNode generation = optional(folder.resolve("generation_config.json"));
        String configSource = folder.resolve("tokenizer_config.json").toString();

        String tokenizerClass = config != null && config.path("tokenizer_class").isTextual()
                ? config.get("tokenizer_class").asText() : null;
        Map<String, TokenSpec> special = new LinkedHashMap<>();
        Map<String, String> defaults = tokenizerClass == null ? Map.of()
                : CLASS_DEFAULTS.getOrDefault(tokenizerClass, Map.of());
        for (String key : SPECIAL_KEYS) {
            if (defaults.containsKey(key)) {
                special.put(key, new TokenSpec(defaults.get(key), true, false, false, false, false));
            }
        }
        List<TokenSpec> additional = new ArrayList<>();
        for (JsonNode source : new JsonNode[] {config, map}) {
            if (source == null) {
                continue;
            }
            for (String key : SPECIAL_KEYS) {
                if (source.has(key)) {
                    TokenSpec spec = spec(source.get(key), true, configSource);
                    if (spec == null) {
                        special.remove(key);
                    } else {
                        special.put(key, spec);
                    }
                }
            }
            if (source.path("additional_special_tokens").isArray()) {
                additional.clear();
                for (JsonNode t : source.get("additional_special_tokens")) {
                    TokenSpec spec = spec(t, true, configSource);
                    if (spec != null) {
                        additional.add(spec);
                    }
                }
            }
        }
        Map<Integer, TokenSpec> decoder = new TreeMap<>();
        if (config != null && config.path("added_tokens_decoder").isObject()) {
            for (Map.Entry<String, JsonNode> e : config.get("added_tokens_decoder").properties()) {
                try {
                    decoder.put(Integer.parseInt(e.getKey()), spec(e.getValue(), false, configSource));
                } catch (NumberFormatException ex) {
                    throw new IbexException(configSource + ": added_tokens_decoder key '" + e.getKey()
                            + "' is not an id");
                }
            }
        }
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = generation == null ? null : generation.get("eos_token_id");
        if (eosNode != null && eosNode.isArray()) {
            eosNode.forEach(id -> eos.add(id.asInt()));
        } else if (eosNode != null && eosNode.canConvertToInt()) {
            eos.add(eosNode.asInt());
        }
        return new TokenizerConfig(tokenizerClass, special, additional, decoder, flag(config, "add_bos_token"), flag(config, "add_eos_token"),
                flag(config, "add_prefix_space"), flag(config, "clean_up_tokenization_spaces"),
                intOrNull(generation, "bos_token_id"), List.copyOf(eos), intOrNull(generation, "pad_token_id"));
    }

    private static JsonNode optional(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode node = Json.read(file);
        if (!node.isObject()) {
            throw new IbexException(file + ": expected a JSON object");
        }
        return node;
    }

    /**
     * A special-token value: null (no token), a string, or an AddedToken object. {@code normalized} defaults to
     * {@code !special}, as in the Rust crate's {@code AddedToken::from}.
     */
    private static TokenSpec spec(JsonNode v, boolean forceSpecial, String source) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return new TokenSpec(v.asText(), true, false, false, false, false);
        }
        if (v.isObject() && v.path("content").isTextual()) {
            boolean special = forceSpecial || v.path("special").asBoolean(false);
            return new TokenSpec(v.get("content").asText(), special, v.path("single_word").asBoolean(false),
                    v.path("lstrip").asBoolean(false), v.path("rstrip").asBoolean(false),
                    v.path("normalized").asBoolean(!special));
        }
        throw new IbexException(source + ": a special token must be a string or an object with 'content', found " + v);
    }

    private static Boolean flag(JsonNode n, String field) {
        return n != null && n.path(field).isBoolean() ? n.get(field).asBoolean() : null;
    }

    private static Integer intOrNull(JsonNode n, String field) {
        return n != null && n.path(field).canConvertToInt() ? n.get(field).asInt() : null;
    }

    /** The content of a special token by key ("bos_token"), or null. */
    String token(String key) {
        TokenSpec spec = specialTokens.get(key);
        return spec == null ? null : spec.content();
    }
}
