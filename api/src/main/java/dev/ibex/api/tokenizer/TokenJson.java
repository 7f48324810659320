package dev.ibex.api.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Texts and id lists as single-line JSON, the form the {@code ibex tokenize}/{@code detokenize} commands and JSONL
 * files use. Output is ASCII (other characters as {@code \\u} escapes) so that it survives any console encoding.
 */
public final class TokenJson {
    /** Strict: "[1,2] 3" is an error, not [1,2]. */
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectWriter WRITER = Json.MAPPER.writer()
            .without(SerializationFeature.INDENT_OUTPUT)
            .with(JsonWriteFeature.ESCAPE_NON_ASCII);

    private TokenJson() {
    }

    /** {@code [1,2,3]}. */
    public static String ids(int[] ids) {
        return write(ids);
    }

    /** A JSON string literal. */
    public static String text(String text) {
        return write(text);
    }

    /**
     * Parses a JSON string literal.
     *
     * @param where names the input in messages, such as {@code prompts.jsonl:3}
     * @throws IbexException if {@code json} is not valid JSON or not a string
     */
    public static String parseText(String json, String where) {
        JsonNode node = parse(json, where);
        if (!node.isTextual()) {
            throw new IbexException(where + ": expected a JSON string, found " + kind(node));
        }
        return node.asText();
    }

    /**
     * Parses a JSON array of token ids.
     *
     * @throws IbexException if {@code json} is not valid JSON or not an array of non-negative ints
     */
    public static int[] parseIds(String json, String where) {
        JsonNode node = parse(json, where);
        if (!node.isArray()) {
            throw new IbexException(where + ": expected a JSON array of token ids, found " + kind(node));
        }
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = node.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
                throw new IbexException(where + ": element " + i + " (" + id + ") is not a token id");
            }
            ids[i] = id.asInt();
        }
        return ids;
    }

    /** Receives each line of a JSONL file with its place, {@code file:line}, for messages. */
    @FunctionalInterface
    public interface LineHandler {
        void line(String line, String where);
    }

    /**
     * Reads a UTF-8 file line by line, in order, handing each to {@code handler} (which may throw an
     * {@link IbexException} naming the line).
     *
     * @throws IbexException if the file is missing or unreadable
     */
    public static void eachLine(Path file, LineHandler handler) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                handler.line(line, file + ":" + ++number);
            }
        } catch (NoSuchFileException e) {
            throw new IbexException(file + ": file not found");
        } catch (CharacterCodingException e) {
            throw new IbexException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new IbexException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static JsonNode parse(String json, String where) {
        if (json.isBlank()) {
            throw new IbexException(where + ": empty line, expected JSON");
        }
        try {
            return READER.readTree(json);
        } catch (JsonProcessingException e) {
            int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw new IbexException(where + (column > 0 ? ": column " + column : "") + ": invalid JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String write(Object value) {
        try {
            return WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
