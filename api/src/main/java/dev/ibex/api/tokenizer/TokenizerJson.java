package dev.ibex.api.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.spi.IbexException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds the pipeline parts from a tokenizer.json tree (the Rust crate's serialization format, version 1.0). Every
 * error names the file and the part at fault; an unknown type lists the supported ones.
 */
final class TokenizerJson {
    private final String source;

    /** @param source the file, for messages */
    TokenizerJson(String source) {
        this.source = source;
    }

    /** tokenizer.json's {@code added_tokens}, in file order, ids as written (the caller re-derives them). */
    List<AddedVocabulary.Token> addedTokens(JsonNode root) {
        List<AddedVocabulary.Token> tokens = new ArrayList<>();
        JsonNode list = root.path("added_tokens");
        if (list.isMissingNode() || list.isNull()) {
            return tokens;
        }
        if (!list.isArray()) {
            throw error("added_tokens must be a list");
        }
        for (JsonNode t : list) {
            boolean special = t.path("special").asBoolean(false);
            tokens.add(new AddedVocabulary.Token(string(t, "content", "added token"), t.path("id").asInt(-1), special,
                    t.path("single_word").asBoolean(false), t.path("lstrip").asBoolean(false),
                    t.path("rstrip").asBoolean(false), t.path("normalized").asBoolean(!special)));
        }
        return tokens;
    }

    Bpe model(JsonNode model, int cacheCapacity) {
        if (model.isMissingNode() || model.isNull()) {
            throw error("no model");
        }
        String type = model.path("type").asText(model.has("merges") ? "BPE" : "");
        if (!type.equals("BPE")) {
            throw error("unsupported model type '" + type + "' (Ibex supports BPE, which LLaMA, Mistral, GPT-2, OPT "
                    + "and Falcon use)");
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject()) {
            throw error("model.vocab must be an object of token to id");
        }
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        for (Map.Entry<String, JsonNode> e : vocabNode.properties()) {
            if (!e.getValue().canConvertToInt()) {
                throw error("model.vocab['" + e.getKey() + "'] is not an integer id");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        List<Bpe.Merge> merges = new ArrayList<>();
        JsonNode mergesNode = model.path("merges");
        if (!mergesNode.isArray()) {
            throw error("model.merges must be a list");
        }
        int index = 0;
        for (JsonNode m : mergesNode) {
            merges.add(merge(m, index++));
        }
        // "dropout" is ignored: it randomizes merges to regularize training, and encoding here must be deterministic.
        return new Bpe(vocab, merges, optionalString(model, "unk_token"), model.path("fuse_unk").asBoolean(false),
                model.path("byte_fallback").asBoolean(false), optionalString(model, "continuing_subword_prefix"),
                optionalString(model, "end_of_word_suffix"), model.path("ignore_merges").asBoolean(false),
                cacheCapacity, source);
    }

    /** A merge written as "a b" (older files) or ["a", "b"] (newer, which allows spaces in tokens). */
    private Bpe.Merge merge(JsonNode m, int index) {
        if (m.isTextual()) {
            String[] parts = m.asText().split(" ", -1);
            if (parts.length != 2) {
                throw error("merge " + index + " '" + m.asText() + "' is not two tokens separated by one space");
            }
            return new Bpe.Merge(parts[0], parts[1]);
        }
        if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
            return new Bpe.Merge(m.get(0).asText(), m.get(1).asText());
        }
        throw error("merge " + index + " must be \"a b\" or [\"a\", \"b\"], found " + m);
    }

    Normalizer normalizer(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        String type = type(n, "normalizer");
        return switch (type) {
            case "Sequence" -> new Normalizer.Sequence(list(n, "normalizers", "normalizer").stream()
                    .map(this::normalizer).toList());
            case "Prepend" -> new Normalizer.Prepend(string(n, "prepend", "Prepend normalizer"));
            case "Replace" -> {
                JsonNode pattern = n.path("pattern");
                String content = string(n, "content", "Replace normalizer");
                yield pattern.has("String") ? new Normalizer.Replace(null, pattern.get("String").asText(), content)
                        : new Normalizer.Replace(regex(pattern, "Replace normalizer"), null, content);
            }
            case "NFC" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFC);
            case "NFD" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> new Normalizer.Lowercase();
            case "Strip" -> new Normalizer.Strip(n.path("strip_left").asBoolean(true),
                    n.path("strip_right").asBoolean(true));
            case "StripAccents" -> new Normalizer.StripAccents();
            case "ByteLevel" -> new Normalizer.ByteLevelBytes();
            default -> throw unknown("normalizer", type,
                    "Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, ByteLevel");
        };
    }

    PreTokenizer preTokenizer(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        String type = type(n, "pre_tokenizer");
        return switch (type) {
            case "Sequence" -> new PreTokenizer.Sequence(list(n, "pretokenizers", "pre_tokenizer").stream()
                    .map(this::preTokenizer).toList());
            case "ByteLevel" -> new PreTokenizer.ByteLevelSplit(n.path("add_prefix_space").asBoolean(true),
                    n.path("use_regex").asBoolean(true));
            case "Metaspace" -> new PreTokenizer.Metaspace(replacement(n), prependScheme(n),
                    n.path("split").asBoolean(true));
            case "Split" -> {
                JsonNode pattern = n.path("pattern");
                Pattern regex = pattern.has("String")
                        ? Pattern.compile(Pattern.quote(pattern.get("String").asText()))
                        : regex(pattern, "Split pre-tokenizer");
                yield new PreTokenizer.Split(regex, behavior(n, null), n.path("invert").asBoolean(false));
            }
            case "Digits" -> new PreTokenizer.Digits(n.path("individual_digits").asBoolean(false));
            case "Punctuation" -> new PreTokenizer.Punctuation(behavior(n, SplitBehavior.ISOLATED));
            case "Whitespace" -> new PreTokenizer.Whitespace();
            case "WhitespaceSplit" -> new PreTokenizer.WhitespaceSplit();
            case "BertPreTokenizer" -> new PreTokenizer.Bert();
            case "CharDelimiterSplit" -> new PreTokenizer.CharDelimiter(
                    string(n, "delimiter", "CharDelimiterSplit").codePointAt(0));
            default -> throw unknown("pre_tokenizer", type, "Sequence, ByteLevel, Metaspace, Split, Digits, "
                    + "Punctuation, Whitespace, WhitespaceSplit, BertPreTokenizer, CharDelimiterSplit");
        };
    }

    PostProcessor postProcessor(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        String type = type(n, "post_processor");
        return switch (type) {
            case "TemplateProcessing" -> template(n);
            case "ByteLevel" -> new PostProcessor.Identity();
            case "RobertaProcessing", "BertProcessing" -> new PostProcessor.Wrap(pairId(n, "cls"), pairId(n, "sep"));
            case "Sequence" -> new PostProcessor.Sequence(list(n, "processors", "post_processor").stream()
                    .map(this::postProcessor).toList());
            default -> throw unknown("post_processor", type,
                    "TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence");
        };
    }

    private PostProcessor template(JsonNode n) {
        JsonNode specials = n.path("special_tokens");
        List<int[]> items = new ArrayList<>();
        for (JsonNode piece : templatePieces(n.path("single"))) {
            if (piece.has("Sequence")) {
                if (!piece.get("Sequence").path("id").asText("A").equals("A")) {
                    throw error("TemplateProcessing.single refers to sequence B, which a single sequence lacks");
                }
                items.add(PostProcessor.Template.SEQUENCE);
            } else if (piece.has("SpecialToken")) {
                String id = piece.get("SpecialToken").path("id").asText();
                JsonNode special = specials.path(id);
                if (!special.path("ids").isArray()) {
                    throw error("TemplateProcessing uses special token '" + id + "', which its special_tokens lacks");
                }
                int[] ids = new int[special.get("ids").size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = special.get("ids").get(i).asInt();
                }
                items.add(ids);
            } else {
                throw error("TemplateProcessing piece must be SpecialToken or Sequence, found " + piece);
            }
        }
        return new PostProcessor.Template(List.copyOf(items));
    }

    /** Template pieces as objects, or in the string form "<s>:0 $A:0" that the Python API accepts. */
    private List<JsonNode> templatePieces(JsonNode single) {
        List<JsonNode> pieces = new ArrayList<>();
        if (single.isTextual()) {
            for (String item : single.asText().trim().split("\\s+")) {
                String id = item.contains(":") ? item.substring(0, item.lastIndexOf(':')) : item;
                var node = dev.ibex.api.internal.Json.object();
                if (id.startsWith("$")) {
                    node.putObject("Sequence").put("id", id.equals("$B") || id.equals("$b") ? "B" : "A");
                } else {
                    node.putObject("SpecialToken").put("id", id);
                }
                pieces.add(node);
            }
        } else if (single.isArray()) {
            single.forEach(pieces::add);
        } else {
            throw error("TemplateProcessing.single must be a list or a string");
        }
        return pieces;
    }

    private int pairId(JsonNode n, String field) {
        JsonNode pair = n.path(field);
        if (!pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt()) {
            throw error(type(n, "post_processor") + "." + field + " must be [token, id]");
        }
        return pair.get(1).asInt();
    }

    Decoder decoder(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        String type = type(n, "decoder");
        return switch (type) {
            case "Sequence" -> new Decoder.Sequence(list(n, "decoders", "decoder").stream().map(this::decoder).toList());
            case "ByteLevel" -> new Decoder.ByteLevelBytes();
            case "Metaspace" -> new Decoder.Metaspace(replacement(n),
                    prependScheme(n) != PreTokenizer.PrependScheme.NEVER);
            case "Replace" -> {
                JsonNode pattern = n.path("pattern");
                String content = string(n, "content", "Replace decoder");
                yield pattern.has("String") ? new Decoder.Replace(null, pattern.get("String").asText(), content)
                        : new Decoder.Replace(regex(pattern, "Replace decoder"), null, content);
            }
            case "ByteFallback" -> new Decoder.ByteFallback();
            case "Fuse" -> new Decoder.Fuse();
            case "Strip" -> new Decoder.Strip(string(n, "content", "Strip decoder").codePointAt(0),
                    n.path("start").asInt(0), n.path("stop").asInt(0));
            case "BPEDecoder" -> new Decoder.BpeSuffix(n.path("suffix").asText("</w>"));
            default -> throw unknown("decoder", type,
                    "Sequence, ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, BPEDecoder");
        };
    }

    private String replacement(JsonNode n) {
        String r = string(n, "replacement", "Metaspace");
        if (r.codePointCount(0, r.length()) != 1) {
            throw error("Metaspace.replacement must be one character, found '" + r + "'");
        }
        return r;
    }

    /** {@code prepend_scheme}, or the older {@code add_prefix_space} (false meaning "never"). */
    private PreTokenizer.PrependScheme prependScheme(JsonNode n) {
        if (n.hasNonNull("prepend_scheme")) {
            return switch (n.get("prepend_scheme").asText()) {
                case "first" -> PreTokenizer.PrependScheme.FIRST;
                case "always" -> PreTokenizer.PrependScheme.ALWAYS;
                case "never" -> PreTokenizer.PrependScheme.NEVER;
                default -> throw error("Metaspace.prepend_scheme must be first, always or never, found "
                        + n.get("prepend_scheme"));
            };
        }
        return n.path("add_prefix_space").asBoolean(true) ? PreTokenizer.PrependScheme.ALWAYS
                : PreTokenizer.PrependScheme.NEVER;
    }

    private SplitBehavior behavior(JsonNode n, SplitBehavior fallback) {
        if (!n.hasNonNull("behavior")) {
            if (fallback == null) {
                throw error(type(n, "pre_tokenizer") + " needs a behavior");
            }
            return fallback;
        }
        SplitBehavior b = SplitBehavior.parse(n.get("behavior").asText());
        if (b == null) {
            throw error("unknown split behavior '" + n.get("behavior").asText()
                    + "' (supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
        }
        return b;
    }

    /**
     * A {@code {"Regex": ...}} pattern, compiled so that {@code \s}, {@code \w} and {@code \d} are Unicode-aware as
     * in Oniguruma, which the Rust crate uses.
     */
    private Pattern regex(JsonNode pattern, String where) {
        if (!pattern.path("Regex").isTextual()) {
            throw error(where + " pattern must be {\"String\": ...} or {\"Regex\": ...}, found " + pattern);
        }
        String regex = pattern.get("Regex").asText();
        try {
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new IbexException(source + ": " + where + " regex " + regex + " does not compile: "
                    + e.getDescription(), e);
        }
    }

    private String type(JsonNode n, String kind) {
        if (!n.path("type").isTextual()) {
            throw error(kind + " has no type: " + n);
        }
        return n.get("type").asText();
    }

    private List<JsonNode> list(JsonNode n, String field, String kind) {
        JsonNode list = n.path(field);
        if (!list.isArray()) {
            throw error(kind + " Sequence needs a list '" + field + "'");
        }
        List<JsonNode> items = new ArrayList<>();
        list.forEach(items::add);
        return items;
    }

    private String string(JsonNode n, String field, String where) {
        JsonNode v = n.path(field);
        if (!v.isTextual()) {
            throw error(where + " needs a string '" + field + "'");
        }
        return v.asText();
    }

    private static String optionalString(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    private IbexException unknown(String kind, String type, String supported) {
        return error("unknown " + kind + " type '" + type + "' (supported: " + supported + ")");
    }

    private IbexException error(String message) {
        return new IbexException(source + ": " + message);
    }
}
