package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.tokenizer.HfTokenizer;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.chat.Message;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training masks of the chat templates with the real LLaMA and Mistral tokenizers (verified against Hugging
 * Face's in the api module), rebuilt here the way each reference recipe builds them.
 */
class TemplatesWithRealTokenizersTest {
    @TempDir
    static Path tmp;
    static HfTokenizer llama;
    static HfTokenizer mistral;

    static HfTokenizer unpack(String name) throws Exception {
        Path source = Path.of("../api/src/test/resources/tokenizers", name);
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(source.resolve("tokenizer.json.gz")))) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        Files.copy(source.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        return HfTokenizer.load(dir);
    }

    @BeforeAll
    static void load() throws Exception {
        llama = unpack("llama");
        mistral = unpack("mistral");
    }

    private static ChatTemplate template(String name) {
        return Plugins.installed().template(name).create(Map.of());
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void alpacaMasksExactlyTheTokenizedPromptAndTrainsResponseAndEos() {
        for (HfTokenizer tok : new HfTokenizer[] {llama, mistral}) {
            Conversation c = Conversation.alpaca("Name three primary colours.", "", "Red, blue and yellow.");
            ChatTemplate alpaca = template("alpaca");
            String prompt = alpaca.prompt(Conversation.alpaca("Name three primary colours.", "", null));
            EncodedExample e = alpaca.encode(c, tok, false, 256);
            int eos = tok.eosId().orElseThrow();
            int[] full = tok.encode(prompt + "Red, blue and yellow.", true);
            assertArrayEquals(concat(full, new int[] {eos}), e.inputIds(), "tokenize(full) + EOS, BOS first");
            assertEquals(tok.bosId().orElseThrow(), e.inputIds()[0]);
            int k = tok.encode(prompt, true).length;
            for (int i = 0; i < e.labels().length; i++) {
                assertEquals(i < k ? EncodedExample.IGNORE : e.inputIds()[i], e.labels()[i], "label " + i);
            }
            assertArrayEquals(tok.encode(prompt, true), Arrays.copyOf(e.inputIds(), k),
                    "the prompt's tokens are a prefix of the full tokens, so the mask sits on the boundary");
            EncodedExample all = alpaca.encode(c, tok, true, 256);
            assertArrayEquals(all.inputIds(), all.labels(), "train_on_inputs trains everything");
        }
    }

    @Test
    void alpacaWithAnInputUsesTheInputFormAndCutsAtTheCutoff() {
        ChatTemplate alpaca = template("alpaca");
        Conversation c = Conversation.alpaca("Translate to French.", "Good morning", "Bonjour");
        String prompt = alpaca.prompt(Conversation.alpaca("Translate to French.", "Good morning", null));
        assertTrue(prompt.contains("### Input:\nGood morning\n\n### Response:\n"), prompt);
        EncodedExample cut = alpaca.encode(c, llama, false, 16);
        assertEquals(16, cut.inputIds().length);
        assertArrayEquals(Arrays.copyOf(llama.encode(prompt + "Bonjour", true), 16), cut.inputIds(), "no EOS once cut");
    }

    @Test
    void guanacoTokenizesSourceAndTargetSeparatelyLikeQlora() {
        ChatTemplate guanaco = template("guanaco");
        Conversation c = Conversation.of(Message.user("What is 2 + 2?"), Message.assistant("4."));
        EncodedExample e = guanaco.encode(c, llama, false, 512);
        int bos = llama.bosId().orElseThrow();
        int eos = llama.eosId().orElseThrow();
        int[] source = llama.encode("### Human: What is 2 + 2?### Assistant: ", false);
        int[] target = llama.encode("4.", false);
        assertArrayEquals(concat(new int[] {bos}, source, target, new int[] {eos}), e.inputIds());
        for (int i = 0; i < e.labels().length; i++) {
            assertEquals(i <= source.length ? EncodedExample.IGNORE : e.inputIds()[i], e.labels()[i], "label " + i);
        }
    }

    @Test
    void chatmlNeedsImEndToBeOneToken() {
        ChatTemplate chatml = template("chatml");
        Conversation c = Conversation.of(Message.user("hi"), Message.assistant("hello"));
        IbexException e = assertThrows(IbexException.class, () -> chatml.encode(c, llama, false, 64));
        assertTrue(e.getMessage().contains("<|im_end|>"), e.getMessage());
    }
}
