package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.generate.SamplingParams;
import dev.ibex.api.generate.TextGenerator;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.tokenizer.HfTokenizer;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ibex chat} on the bundled ibex-tiny, driven through its terminal input: the second turn is answered with
 * the first turn in the context, {@code /reset} forgets it, {@code /exit} ends the session. The expected replies
 * are the generator's answers to the conversations each turn should have seen (greedy, so deterministic).
 */
class ChatCommandTest {
    private static final Path MODEL = Path.of("../models/ibex-tiny");
    private static final String FIRST = "What does the word \"law\" mean?";
    private static final String SECOND = "Give a synonym of \"study\".";
    private static final int TOKENS = 12;

    @Test
    void keepsTheHistoryForgetsItOnResetAndExits() {
        List<String> replies = replies(chat("guanaco"));
        String first;
        String withHistory;
        String fresh;
        try (Model model = ModelLoader.standard().load(MODEL, LoadOptions.inference())) {
            TextGenerator generator = generator(model, "guanaco");
            first = reply(generator, Message.user(FIRST));
            withHistory = reply(generator, Message.user(FIRST), Message.assistant(first), Message.user(SECOND));
            fresh = reply(generator, Message.user(SECOND));
        }
        assertNotEquals(withHistory, fresh, "the history must change the answer for this test to tell them apart");
        assertEquals(List.of(first, withHistory, fresh), replies);
    }

    @Test
    void aSingleTurnTemplateAnswersEachInstructionOnItsOwn() {
        String transcript = chat("alpaca");
        assertTrue(transcript.contains("(alpaca takes one instruction at a time"), transcript);
        List<String> replies = replies(transcript);
        try (Model model = ModelLoader.standard().load(MODEL, LoadOptions.inference())) {
            TextGenerator generator = generator(model, "alpaca");
            String fresh = reply(generator, Message.user(SECOND));
            assertEquals(List.of(reply(generator, Message.user(FIRST)), fresh, fresh), replies);
        }
    }

    /** Two instructions, /reset, the second again, /exit (and a line that must never be read): the transcript. */
    private static String chat(String template) {
        Cli r = Cli.runWithInput(FIRST + "\n" + SECOND + "\n/reset\n" + SECOND + "\n/exit\nnever read\n",
                "chat", "-m", MODEL.toString(), "-t", template, "--max-new-tokens", String.valueOf(TOKENS))
                .expect(0);
        assertTrue(r.out().contains("(history cleared)"), r.out());
        assertEquals(3, replies(r.out()).size(), r.out());
        return r.out();
    }

    private static TextGenerator generator(Model model, String template) {
        return new TextGenerator(model, HfTokenizer.load(MODEL), Plugins.installed().template(template).create(Map.of()), 0);
    }

    private static String reply(TextGenerator generator, Message... turns) {
        return generator.reply(new Conversation(List.of(turns), ""), SamplingParams.greedy(TOKENS), s -> { });
    }

    /** The text streamed after each "bot> ", up to the end of its turn (the next "you> " prompt), trimmed. */
    private static List<String> replies(String transcript) {
        List<String> replies = new ArrayList<>();
        for (String turn : transcript.split("you> ")) {
            if (turn.startsWith("bot> ")) {
                replies.add(turn.substring("bot> ".length()).strip());
            }
        }
        return replies;
    }
}
