package dev.ibex.templates;

import static dev.ibex.templates.PieceTokenizer.IM_END;
import static dev.ibex.templates.PieceTokenizer.IM_START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Segment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chatml template against axolotl's chatml.jinja and its chat_template strategy with default settings. */
class ChatMlTemplateTest {
    private static final Conversation CHAT = Conversation.of(Message.system("Be brief."), Message.user("Hi"),
            Message.assistant("Hello"), Message.user("Bye"), Message.assistant("Ciao"));

    private static ChatTemplate chatml(Map<String, Object> options) {
        return new ChatMlTemplateProvider().create(options);
    }

    private static final ChatTemplate CHATML = chatml(Map.of());

    @Test
    void rendersEachTurnBetweenImStartAndImEnd() {
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n"
                + "<|im_start|>assistant\nCiao<|im_end|>\n", Conversations.text(CHATML.render(CHAT, false)));
    }

    @Test
    void theGenerationPromptOpensAnAssistantTurn() {
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                CHATML.prompt(Conversation.of(Message.user("Hi"))));
    }

    @Test
    void segmentsFlagAssistantContentAndItsImEnd() {
        assertEquals(List.of(new Segment("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", false),
                        new Segment("Hello<|im_end|>", true), new Segment("\n", false)),
                CHATML.render(Conversation.of(Message.user("Hi"), Message.assistant("Hello")), false));
    }

    @Test
    void anAlpacaInputIsAppendedToTheUserTurn() {
        assertEquals("<|im_start|>user\nTranslate to French.\ncat<|im_end|>\n<|im_start|>assistant\n",
                CHATML.prompt(Conversation.alpaca("Translate to French.", "cat", null)));
    }

    /** No BOS even for a tokenizer that has one, as axolotl's template writes none and tokenizes without it. */
    @Test
    void encodeTrainsAssistantContentAndItsImEndOnly() {
        EncodedExample e = CHATML.encode(CHAT, PieceTokenizer.withBos(), false, 512);
        new Expected()
                .masked(IM_START).masked("system\nBe brief.").masked(IM_END).masked("\n")
                .masked(IM_START).masked("user\nHi").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Hello").trained(IM_END).masked("\n")
                .masked(IM_START).masked("user\nBye").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Ciao").trained(IM_END).masked("\n")
                .assertEncodes(e);
    }

    /** Turn headers stay masked even when every turn is trained. */
    @Test
    void trainOnInputsTrainsEveryTurnsContentAndImEnd() {
        EncodedExample e = CHATML.encode(Conversation.of(Message.user("Hi"), Message.assistant("Hello")),
                PieceTokenizer.withoutBos(), true, 512);
        new Expected()
                .masked(IM_START).masked("user\n").trained("Hi").trained(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Hello").trained(IM_END).masked("\n")
                .assertEncodes(e);
    }

    @Test
    void rolesToTrainSelectsTurns() {
        EncodedExample e = chatml(Map.of("roles_to_train", List.of("human")))
                .encode(Conversation.of(Message.user("Hi"), Message.assistant("Hello")), PieceTokenizer.withoutBos(),
                        false, 512);
        new Expected()
                .masked(IM_START).masked("user\n").trained("Hi").trained(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\nHello").masked(IM_END).masked("\n")
                .assertEncodes(e);
    }

    @Test
    void trainOnEosNoneLastAndAll() {
        Conversation c = Conversation.of(Message.user("Hi"), Message.assistant("Hello"), Message.user("Bye"),
                Message.assistant("Ciao"));
        PieceTokenizer t = PieceTokenizer.withoutBos();
        new Expected()
                .masked(IM_START).masked("user\nHi").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Hello").masked(IM_END).masked("\n")
                .masked(IM_START).masked("user\nBye").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Ciao").masked(IM_END).masked("\n")
                .assertEncodes(chatml(Map.of("train_on_eos", "none")).encode(c, t, false, 512));
        new Expected()
                .masked(IM_START).masked("user\nHi").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Hello").masked(IM_END).masked("\n")
                .masked(IM_START).masked("user\nBye").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Ciao").trained(IM_END).masked("\n")
                .assertEncodes(chatml(Map.of("train_on_eos", "last")).encode(c, t, false, 512));
        new Expected()
                .masked(IM_START).masked("user\nHi").trained(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Hello").trained(IM_END).masked("\n")
                .masked(IM_START).masked("user\nBye").trained(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("Ciao").trained(IM_END).masked("\n")
                .assertEncodes(chatml(Map.of("train_on_eos", "ALL")).encode(c, t, false, 512));
    }

    /** Where the header's newline merges with the reply's first letters, the merged token is trained (axolotl's diff). */
    @Test
    void aTokenMergingHeaderAndContentIsTrainedWithTheContent() {
        PieceTokenizer t = PieceTokenizer.withoutBos().pieces("\nHe");
        EncodedExample e = CHATML.encode(Conversation.of(Message.user("Hi"), Message.assistant("Hello")), t, false, 512);
        new Expected()
                .masked(IM_START).masked("user\nHi").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant").trained(PieceTokenizer.piece(0)).trained("llo").trained(IM_END)
                .masked("\n")
                .assertEncodes(e);
    }

    /** axolotl finds a turn by diffing against "[[dummy_message]]"; a reply ending like it loses those tokens. */
    @Test
    void aReplyEndingLikeAxolotlsPlaceholderKeepsItsEndMasked() {
        EncodedExample e = CHATML.encode(Conversation.of(Message.user("Hi"), Message.assistant("See [[1]]")),
                PieceTokenizer.withoutBos(), false, 512);
        new Expected()
                .masked(IM_START).masked("user\nHi").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("See [[1").masked("]]").trained(IM_END).masked("\n")
                .assertEncodes(e);
    }

    @Test
    void anEmptyReplyTrainsNothing() {
        EncodedExample e = CHATML.encode(Conversation.of(Message.user("Hi"), Message.assistant("")),
                PieceTokenizer.withoutBos(), false, 512);
        new Expected()
                .masked(IM_START).masked("user\nHi").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").masked(IM_END).masked("\n")
                .assertEncodes(e);
    }

    @Test
    void maxLengthCutsTheExample() {
        EncodedExample e = CHATML.encode(Conversation.of(Message.user("Hi"), Message.assistant("Hello")),
                PieceTokenizer.withoutBos(), false, 23);
        new Expected()
                .masked(IM_START).masked("user\nHi").masked(IM_END).masked("\n")
                .masked(IM_START).masked("assistant\n").trained("He")
                .assertEncodes(e);
    }

    @Test
    void aTokenizerWithoutImEndIsRefused() {
        IbexException e = assertThrows(IbexException.class, () -> CHATML.encode(
                Conversation.of(Message.user("Hi"), Message.assistant("Hello")),
                PieceTokenizer.withoutBos().withoutChatMlTokens(), false, 512));
        assertTrue(e.getMessage().contains("<|im_end|> to be a single token"), e.getMessage());
    }

    @Test
    void optionValuesAreChecked() {
        assertTrue(assertThrows(IbexException.class, () -> chatml(Map.of("roles_to_train", List.of("tool"))))
                .getMessage().contains("unknown role \"tool\""));
        assertTrue(assertThrows(IbexException.class, () -> chatml(Map.of("train_on_eos", "sometimes")))
                .getMessage().contains("turn, all, last, none"));
        assertTrue(assertThrows(IbexException.class, () -> chatml(Map.of("roles_to_train", 3)))
                .getMessage().contains("list of strings"));
    }

    @Test
    void extractReplyStopsAtImEnd() {
        assertEquals(List.of("<|im_end|>"), CHATML.stopStrings());
        assertEquals("Hello there.", CHATML.extractReply("Hello there.<|im_end|>\n<|im_start|>user\n"));
    }
}
