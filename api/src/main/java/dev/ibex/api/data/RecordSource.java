package dev.ibex.api.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams the JSON values of a dataset file with their line numbers: either one JSON array (what
 * {@code json.dump(list)} writes, e.g. alpaca_data.json) or JSON Lines. Neither is read into memory whole.
 * A bad line of JSON Lines is reported and reading goes on; a syntax error inside a JSON array cannot be
 * resynchronised and is fatal.
 */
final class RecordSource {
    /** Lines must hold exactly one value: {@code {"a":1} junk} is an error, not a record. */
    private static final ObjectReader LINE_READER = Json.MAPPER.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Receives what the file holds, in order. */
    interface Sink {
        void value(int line, JsonNode value);

        void invalidJson(int line, String message);
    }

    private RecordSource() {
    }

    static void read(Path file, Sink sink) {
        if (!Files.exists(file)) {
            throw new IbexException(file + ": dataset file not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new IbexException(file + ": not a regular file; a dataset is one JSON or JSONL file");
        }
        try {
            if (firstSignificantChar(file) == '[') {
                readArray(file, sink);
            } else {
                readLines(file, sink);
            }
        } catch (IOException e) {
            throw new IbexException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The first character that is neither whitespace nor a byte-order mark, or -1 for an empty file. */
    private static int firstSignificantChar(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int c;
            while ((c = r.read()) != -1) {
                if (c != '\uFEFF' && !Character.isWhitespace(c)) {
                    return c;
                }
            }
            return -1;
        } catch (CharacterCodingException e) {
            throw new IbexException(file + ": not UTF-8 text", e);
        }
    }

    private static void readArray(Path file, Sink sink) throws IOException {
        try (InputStream in = Files.newInputStream(file); JsonParser p = Json.MAPPER.createParser(in)) {
            p.nextToken();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new IbexException(file + ": the JSON array is not closed (file truncated?)");
                }
                int line = p.currentTokenLocation().getLineNr();
                sink.value(line, Json.MAPPER.readTree(p));
            }
            if (p.nextToken() != null) {
                throw new IbexException(file + ":" + p.currentTokenLocation().getLineNr()
                        + ": unexpected content after the JSON array");
            }
        } catch (JsonProcessingException e) {
            throw Json.syntax(file.toString(), e);
        }
    }

    private static void readLines(Path file, Sink sink) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int line = 0;
            String text;
            while (true) {
                try {
                    text = r.readLine();
                } catch (CharacterCodingException e) {
                    throw new IbexException(file + ":" + (line + 1) + ": not UTF-8 text", e);
                }
                if (text == null) {
                    return;
                }
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (text.isBlank()) {
                    continue;
                }
                JsonNode value;
                try {
                    value = LINE_READER.readValue(text);
                } catch (JsonProcessingException e) {
                    String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
                    sink.invalidJson(line, "invalid JSON" + where + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
                    continue;
                }
                sink.value(line, value);
            }
        }
    }
}
