package dev.ibex.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.internal.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoders, with the Rust crate's expectations. */
class DecoderTest {

    static Decoder parse(String json) {
        return new TokenizerJson("test.json").decoder(Json.parse(json, "test.json"));
    }

    @Test
    void metaspaceDropsTheReplacementOnlyInTheFirstToken() {
        assertEquals(List.of("Hey", " friend!"),
                parse("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"always\"}")
                        .decodeChain(List.of("▁Hey", "▁friend!")));
        assertEquals(List.of(" Hey", " friend!"),
                parse("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"never\"}")
                        .decodeChain(List.of("▁Hey", "▁friend!")));
    }

    @Test
    void byteFallbackJoinsRunsOfBytes() {
        Decoder d = new Decoder.ByteFallback();
        assertEquals(List.of("a€", "b"), d.decodeChain(List.of("<0x61>", "<0xE2>", "<0x82>", "<0xAC>", "b")));
        // An invalid run is one U+FFFD per byte, not per maximal invalid sequence.
        assertEquals(List.of("\uFFFD", "\uFFFD", "x"), d.decodeChain(List.of("<0xE2>", "<0x82>", "x")));
        assertEquals(List.of("<0xZZ>", "<0x4>"), d.decodeChain(List.of("<0xZZ>", "<0x4>")));
    }

    @Test
    void byteLevelReplacesInvalidUtf8LikeRust() {
        Decoder d = new Decoder.ByteLevelBytes();
        assertEquals(" hello world", d.decode(List.of("Ġhello", "Ġworld")));
        // E2 82 (a truncated three-byte character) is one U+FFFD; C0 and 80 are each invalid on their own.
        assertEquals(" \uFFFD", d.decode(List.of("Ġ" + ByteLevel.charOf(0xE2) + ByteLevel.charOf(0x82))));
        assertEquals("\uFFFD\uFFFDA", d.decode(List.of("" + ByteLevel.charOf(0xC0) + ByteLevel.charOf(0x80) + "A")));
        // A token with characters outside the alphabet contributes its own UTF-8; "é" is in the alphabet (byte E9).
        assertEquals("<|中|>", d.decode(List.of("<|中|>")));
        assertEquals("<|\uFFFD|>", d.decode(List.of("<|é|>")));
    }

    @Test
    void llamaChainStripsOneLeadingSpace() {
        Decoder d = parse("""
                {"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},
                {"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]}""");
        assertEquals(" Hello\n world", d.decode(List.of("▁▁Hello", "<0x0A>", "▁world")));
        assertTrue(d.readsByteTokens());
        assertFalse(new Decoder.Fuse().readsByteTokens());
    }

    @Test
    void stripCutsAtBothEnds() {
        assertEquals(List.of("xabx", ""), new Decoder.Strip('x', 1, 2).decodeChain(List.of("xxabxxx", "x")));
    }

    @Test
    void bpeSuffixBecomesASpaceExceptAtTheEnd() {
        assertEquals("hello world", parse("{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}")
                .decode(List.of("hel", "lo</w>", "world</w>")));
    }

    @Test
    void regexReplace() {
        assertEquals(List.of("a b"), parse("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"_+\"},\"content\":\" \"}")
                .decodeChain(List.of("a__b")));
    }
}
