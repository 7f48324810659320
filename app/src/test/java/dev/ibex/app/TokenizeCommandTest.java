package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ibex tokenize} and {@code ibex detokenize} on a small byte-level BPE tokenizer written for the test: every
 * byte is its own id (its value), "hello" is merged, and an OPT-style template puts {@code <|endoftext|>} (id 260)
 * first.
 */
class TokenizeCommandTest {
    @TempDir
    Path dir;
    Path model;

    /** GPT-2's byte alphabet: printable bytes stand for themselves, the others map in order from U+0100. */
    static String byteChar(int b) {
        boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        if (printable) {
            return String.valueOf((char) b);
        }
        int n = 0;
        for (int i = 0; i < b; i++) {
            if (!((i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF))) {
                n++;
            }
        }
        return String.valueOf((char) (0x100 + n));
    }

    @BeforeEach
    void writeTokenizer() throws IOException {
        StringBuilder vocab = new StringBuilder("{");
        for (int b = 0; b < 256; b++) {
            String c = byteChar(b);
            vocab.append('"').append(c.equals("\"") ? "\\\"" : c.equals("\\") ? "\\\\" : c).append("\":").append(b)
                    .append(',');
        }
        vocab.append("\"he\":256,\"hel\":257,\"hell\":258,\"hello\":259}");
        String json = """
                {"version":"1.0","added_tokens":[{"id":260,"content":"<|endoftext|>","single_word":false,
                "lstrip":false,"rstrip":false,"normalized":false,"special":true}],
                "normalizer":null,
                "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
                "post_processor":{"type":"TemplateProcessing",
                  "single":[{"SpecialToken":{"id":"<|endoftext|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
                  "special_tokens":{"<|endoftext|>":{"id":"<|endoftext|>","ids":[260],"tokens":["<|endoftext|>"]}}},
                "decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
                "model":{"type":"BPE","vocab":%s,"merges":["h e","he l","hel l","hell o"]}}""".formatted(vocab);
        model = Files.createDirectories(dir.resolve("model"));
        Files.writeString(model.resolve("tokenizer.json"), json);
    }

    @Test
    void tokenizesText() {
        Cli r = Cli.run("tokenize", "--tokenizer", model.toString(), "hello world");
        assertEquals(0, r.code(), r.err());
        assertEquals("[260,259,32,119,111,114,108,100]", r.out().strip());
        r = Cli.run("tokenize", "--tokenizer", model.resolve("tokenizer.json").toString(), "--no-special", "hello");
        assertEquals("[259]", r.out().strip());
    }

    @Test
    void detokenizesIds() {
        Cli r = Cli.run("detokenize", "--tokenizer", model.toString(), "[260,259,32,119]");
        assertEquals(0, r.code(), r.err());
        assertEquals("\"<|endoftext|>hello w\"", r.out().strip());
        assertEquals("\"hello w\"", Cli.run("detokenize", "--tokenizer", model.toString(), "--skip-special",
                "[260,259,32,119]").out().strip());
    }

    @Test
    void nonAsciiTextRoundTripsAsEscapedJson() {
        String ids = Cli.run("tokenize", "--tokenizer", model.toString(), "--no-special", "h\u00e9llo \uD83D\uDE00").out()
                .strip();
        String text = Cli.run("detokenize", "--tokenizer", model.toString(), ids).out().strip();
        assertEquals("\"h\\u00E9llo \\uD83D\\uDE00\"", text);
    }

    @Test
    void jsonLinesInOneProcess() throws IOException {
        Path texts = dir.resolve("texts.jsonl");
        Files.write(texts, List.of("\"hello\"", "\"\"", "\"he said \\\"hi\\\"\\n\""));
        Cli r = Cli.run("tokenize", "--tokenizer", model.toString(), "--no-special", "--input", texts.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("[259]", "[]", "[256,32,115,97,105,100,32,34,104,105,34,10]"), lines);

        Path idLines = dir.resolve("ids.jsonl");
        Files.write(idLines, lines);
        r = Cli.run("detokenize", "--tokenizer", model.toString(), "--input", idLines.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("\"hello\"", "\"\"", "\"he said \\\"hi\\\"\\n\""), r.out().lines().toList());
    }

    @Test
    void malformedLinesAreReportedWithTheirNumber() throws IOException {
        Path texts = dir.resolve("bad.jsonl");
        Files.write(texts, List.of("\"ok\"", "\"unterminated", "\"never read\""));
        Cli r = Cli.run("tokenize", "--tokenizer", model.toString(), "--input", texts.toString());
        assertEquals(1, r.code());
        assertOneLineError(r, texts + ":2");

        Path ids = dir.resolve("bad-ids.jsonl");
        Files.write(ids, List.of("[1,2]", "[3]", "[4, \"x\"]"));
        r = Cli.run("detokenize", "--tokenizer", model.toString(), "--input", ids.toString());
        assertEquals(1, r.code());
        assertOneLineError(r, ids + ":3: element 1");

        r = Cli.run("detokenize", "--tokenizer", model.toString(), "{\"not\":\"ids\"}");
        assertOneLineError(r, "expected a JSON array of token ids");
    }

    @Test
    void missingPathsAreOneLineErrors() {
        Path missing = dir.resolve("no-model");
        Cli r = Cli.run("tokenize", "--tokenizer", missing.toString(), "hi");
        assertEquals(1, r.code());
        assertOneLineError(r, missing.toString());
        r = Cli.run("tokenize", "--tokenizer", model.toString(), "--input", dir.resolve("none.jsonl").toString());
        assertOneLineError(r, "none.jsonl: file not found");
    }

    @Test
    void textAndInputAreExclusive() {
        Cli r = Cli.run("tokenize", "--tokenizer", model.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("give TEXT or --input"), r.err());
    }

    private static void assertOneLineError(Cli r, String expected) {
        assertTrue(r.err().startsWith("ibex: error: ") && r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
