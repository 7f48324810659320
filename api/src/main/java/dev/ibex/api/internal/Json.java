package dev.ibex.api.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ibex.spi.IbexException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** JSON reading and writing with errors that name the file, line and column. */
public final class Json {
    /** Strict: duplicate keys are errors; large documents (tokenizer.json) are allowed. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(200_000_000).maxDocumentLength(-1L).maxNestingDepth(200).build());
    }

    private Json() {
    }

    /** Parses a JSON file; a missing file or a syntax error is an {@link IbexException} naming it. */
    public static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw syntax(file.toString(), e);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IbexException(file + ": file not found");
        } catch (IOException e) {
            throw new IbexException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses JSON text from {@code source} (for messages). */
    public static JsonNode parse(String text, String source) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw syntax(source, e);
        }
    }

    /** Parses a JSON object file into plain Java values (maps, lists, strings, numbers, booleans, nulls). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(Path file) {
        JsonNode node = read(file);
        if (!node.isObject()) {
            throw new IbexException(file + ": expected a JSON object, found " + node.getNodeType().name().toLowerCase());
        }
        return MAPPER.convertValue(node, Map.class);
    }

    public static IbexException syntax(String source, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
        return new IbexException(source + where + ": invalid JSON: " + e.getOriginalMessage(), e);
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Writes {@code value} as indented JSON, atomically. */
    public static void write(Path file, Object value) {
        try {
            AtomicFiles.write(file, MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IbexException("cannot serialise JSON for " + file + ": " + e.getMessage(), e);
        }
    }

    /** One-line JSON. */
    public static String compact(Object value) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code file} exists and is a regular file. */
    public static boolean exists(Path file) {
        return Files.isRegularFile(file);
    }
}
