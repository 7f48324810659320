package dev.ibex.api.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The older GPT-2 format, {@code vocab.json} + {@code merges.txt}, which OPT checkpoints ship instead of a
 * tokenizer.json. Converted to the tokenizer.json that transformers' {@code GPT2Converter} would build: byte-level BPE,
 * ByteLevel pre-tokenizer and decoder, and a {@code bos $A} template when {@code add_bos_token} is set (how OPT gets its
 * leading {@code </s>}).
 */
final class Gpt2Files {
    private Gpt2Files() {
    }

    static boolean present(Path folder) {
        return Files.isRegularFile(folder.resolve("vocab.json")) && Files.isRegularFile(folder.resolve("merges.txt"));
    }

    /** A tokenizer.json tree for the files in {@code folder}. */
    static ObjectNode convert(Path folder, TokenizerConfig config) {
        Path vocabFile = folder.resolve("vocab.json");
        JsonNode vocab = Json.read(vocabFile);
        if (!vocab.isObject()) {
            throw new IbexException(vocabFile + ": expected an object of token to id");
        }
        ObjectNode root = Json.object();
        root.put("version", "1.0");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", Boolean.TRUE.equals(config.addPrefixSpace()));
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        String bos = config.token("bos_token");
        if (Boolean.TRUE.equals(config.addBosToken())) {
            if (bos == null || !vocab.has(bos)) {
                throw new IbexException(folder.resolve("tokenizer_config.json") + ": add_bos_token is true but bos_token "
                        + (bos == null ? "is not set" : "'" + bos + "' is not in vocab.json"));
            }
            ObjectNode post = root.putObject("post_processor");
            post.put("type", "TemplateProcessing");
            post.putArray("single").addObject().putObject("SpecialToken").put("id", bos);
            ((ArrayNode) post.get("single")).addObject().putObject("Sequence").put("id", "A");
            ObjectNode special = post.putObject("special_tokens").putObject(bos);
            special.put("id", bos);
            special.putArray("ids").add(vocab.get(bos).asInt());
            special.putArray("tokens").add(bos);
        } else {
            root.putObject("post_processor").put("type", "ByteLevel");
        }
        root.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.set("vocab", vocab);
        ArrayNode merges = model.putArray("merges");
        Path mergesFile = folder.resolve("merges.txt");
        List<String> lines;
        try {
            lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IbexException(mergesFile + ": cannot read: " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) {
                continue;
            }
            String[] parts = line.split(" ");
            if (parts.length != 2) {
                throw new IbexException(mergesFile + ":" + (i + 1) + ": expected two tokens separated by a space");
            }
            merges.addArray().add(parts[0]).add(parts[1]);
        }
        return root;
    }
}
