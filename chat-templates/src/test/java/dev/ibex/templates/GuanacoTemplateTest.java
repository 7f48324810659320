package dev.ibex.templates;

import static dev.ibex.templates.PieceTokenizer.BOS;
import static dev.ibex.templates.PieceTokenizer.EOS;
import static dev.ibex.templates.PieceTokenizer.SPACE_MARK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** The guanaco template against qlora's guanaco_generate.py, the OASST Guanaco data and DataCollatorForCausalLM. */
class GuanacoTemplateTest {
    private static final String MODEL_CARD_PREAMBLE = "A chat between a curious human and an artificial intelligence"
            + " assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. ";

    private static final Conversation ONE_TURN = Conversation.of(Message.user("What is 2+2?"), Message.assistant("4"));
    private static final Conversation TWO_TURNS = Conversation.of(Message.user("Hi"), Message.assistant("Hello!"),
            Message.user("Bye"), Message.assistant("Goodbye!"));

    private static ChatTemplate guanaco(Map<String, Object> options) {
        return new GuanacoTemplateProvider().create(options);
    }

    private static final ChatTemplate GUANACO = guanaco(Map.of());

    @Test
    void generationPromptWithTheModelCardPreambleIsQlorasGenerateScript() {
        assertEquals(MODEL_CARD_PREAMBLE + "### Human: What is Einstein's theory of relativity?### Assistant: ",
                guanaco(Map.of("system_prompt", true))
                        .prompt(Conversation.of(Message.user("What is Einstein's theory of relativity?"))));
    }

    @Test
    void withoutPreambleTheTextIsTheOasstTrainingForm() {
        assertEquals("### Human: Hi### Assistant: Hello!### Human: Bye### Assistant: Goodbye!",
                Conversations.text(GUANACO.render(TWO_TURNS, false)));
    }

    @Test
    void repliesAreTheTrainableSegments() {
        assertEquals(List.of(new Segment("### Human: Hi### Assistant: ", false), new Segment("Hello!", true),
                        new Segment("### Human: Bye### Assistant: ", false), new Segment("Goodbye!", true)),
                GUANACO.render(TWO_TURNS, false));
    }

    @Test
    void aCustomPreambleOrTheConversationsSystemTurnIsFollowedByOneSpace() {
        Conversation c = Conversation.of(Message.user("Hi"));
        assertEquals("Be brief. ### Human: Hi### Assistant: ", guanaco(Map.of("system_prompt", "Be brief.")).prompt(c));
        Conversation withSystem = Conversation.of(Message.system("Be kind."), Message.user("Hi"));
        assertEquals("Be kind. ### Human: Hi### Assistant: ", guanaco(Map.of("system_prompt", true)).prompt(withSystem));
        assertEquals("### Human: Hi### Assistant: ", guanaco(Map.of("system_prompt", "false")).prompt(c));
    }

    @Test
    void anAlpacaInputIsAppendedToTheInstruction() {
        assertEquals("### Human: Translate to French.\ncat### Assistant: ",
                GUANACO.prompt(Conversation.alpaca("Translate to French.", "cat", null)));
    }

    @Test
    void aSystemTurnAfterTheStartIsRefused() {
        Conversation c = Conversation.of(Message.user("Hi"), Message.system("late"), Message.user("Hi"));
        assertTrue(assertThrows(IbexException.class, () -> GUANACO.prompt(c)).getMessage().contains("turn 2"));
    }

    @Test
    void encodeIsQlorasSourceAndTarget() {
        EncodedExample e = GUANACO.encode(ONE_TURN, PieceTokenizer.withBos(), false, 512);
        new Expected().masked(BOS).masked("### Human: What is 2+2?### Assistant: ").trained("4").trained(EOS)
                .assertEncodes(e);
    }

    /** qlora tokenizes source and target apart, so a SentencePiece tokenizer starts each with its own "▁". */
    @Test
    void sourceAndTargetAreTokenizedApart() {
        EncodedExample e = GUANACO.encode(ONE_TURN, PieceTokenizer.withBos().spacePrefix(), false, 512);
        new Expected().masked(BOS, SPACE_MARK).masked("### Human: What is 2+2?### Assistant: ")
                .trained(SPACE_MARK).trained("4").trained(EOS).assertEncodes(e);
    }

    @Test
    void multiTurnTrainsEveryReplyAndEndsWithOneEos() {
        EncodedExample e = GUANACO.encode(TWO_TURNS, PieceTokenizer.withBos(), false, 512);
        new Expected().masked(BOS).masked("### Human: Hi### Assistant: ").trained("Hello!")
                .masked("### Human: Bye### Assistant: ").trained("Goodbye!").trained(EOS).assertEncodes(e);
    }

    @Test
    void thePreambleIsPartOfTheSource() {
        EncodedExample e = guanaco(Map.of("system_prompt", true)).encode(ONE_TURN, PieceTokenizer.withBos(), false, 512);
        new Expected().masked(BOS).masked(MODEL_CARD_PREAMBLE + "### Human: What is 2+2?### Assistant: ")
                .trained("4").trained(EOS).assertEncodes(e);
    }

    @Test
    void trainOnInputsTrainsTheSourceToo() {
        EncodedExample e = GUANACO.encode(TWO_TURNS, PieceTokenizer.withBos(), true, 512);
        assertArrayEquals(e.inputIds(), e.labels());
    }

    /** qlora's --dataset oasst1: input '' and output = the whole text, so only the BOS is the source. */
    @Test
    void trainOnTextIsQlorasOasst1Recipe() {
        EncodedExample e = guanaco(Map.of("train_on", "text")).encode(TWO_TURNS, PieceTokenizer.withBos(), false, 512);
        new Expected().masked(BOS).trained("### Human: Hi### Assistant: Hello!### Human: Bye### Assistant: Goodbye!")
                .trained(EOS).assertEncodes(e);
    }

    @Test
    void withoutBosTheSourceStartsWithTheText() {
        EncodedExample e = GUANACO.encode(ONE_TURN, PieceTokenizer.withoutBos(), false, 512);
        new Expected().masked("### Human: What is 2+2?### Assistant: ").trained("4").trained(EOS).assertEncodes(e);
    }

    @Test
    void sourceAndTargetLimitsCutEachPieceAsQloraDoes() {
        ChatTemplate limited = guanaco(Map.of("source_max_len", 5, "target_max_len", 2));
        EncodedExample e = limited.encode(Conversation.of(Message.user("Q"), Message.assistant("Four")),
                PieceTokenizer.withBos(), false, 512);
        new Expected().masked(BOS).masked("### ").trained("Fo").assertEncodes(e);
    }

    @Test
    void maxLengthCutsTheWholeExample() {
        EncodedExample e = GUANACO.encode(TWO_TURNS, PieceTokenizer.withBos(), false, 30);
        new Expected().masked(BOS).masked("### Human: Hi### Assistant: ").trained("H").assertEncodes(e);
    }

    @Test
    void optionValuesAreChecked() {
        assertEquals("chat template guanaco: option system_prompt must be true, false or the preamble text, not 3",
                assertThrows(IbexException.class, () -> guanaco(Map.of("system_prompt", 3))).getMessage());
        assertTrue(assertThrows(IbexException.class, () -> guanaco(Map.of("train_on", "all"))).getMessage()
                .contains("replies, text"));
        assertTrue(assertThrows(IbexException.class, () -> guanaco(Map.of("target_max_len", 0))).getMessage()
                .contains("positive whole number"));
        assertTrue(assertThrows(IbexException.class, () -> guanaco(Map.of("roles_to_train", "user"))).getMessage()
                .contains("valid options: source_max_len, system_prompt, target_max_len, train_on"));
    }

    @Test
    void extractReplyStopsAtTheNextHumanTurn() {
        assertEquals(List.of("### Human:"), GUANACO.stopStrings());
        assertEquals("Paris is the capital.", GUANACO.extractReply(" Paris is the capital.### Human: And Spain?"));
    }
}
