package dev.ibex.templates;

import static dev.ibex.templates.PieceTokenizer.BOS;
import static dev.ibex.templates.PieceTokenizer.EOS;
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

/** The alpaca template against alpaca-lora's templates/alpaca.json and finetune.py. */
class AlpacaTemplateTest {
    /** alpaca-lora's prompt_no_input with instruction "Name a primary color.". */
    private static final String NO_INPUT = "Below is an instruction that describes a task. Write a response that"
            + " appropriately completes the request.\n\n### Instruction:\nName a primary color.\n\n### Response:\n";
    /** alpaca-lora's prompt_input with instruction "Translate to French." and input "cat". */
    private static final String WITH_INPUT = "Below is an instruction that describes a task, paired with an input"
            + " that provides further context. Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\nTranslate to French.\n\n### Input:\ncat\n\n### Response:\n";

    private static final Conversation COLOR = Conversation.alpaca("Name a primary color.", "", "Blue.");

    private static ChatTemplate alpaca(Map<String, Object> options) {
        return new AlpacaTemplateProvider().create(options);
    }

    private static final ChatTemplate ALPACA = alpaca(Map.of());

    @Test
    void promptWithoutInputIsAlpacaLorasWording() {
        assertEquals(NO_INPUT, ALPACA.prompt(Conversation.alpaca("Name a primary color.", "", null)));
    }

    @Test
    void emptyInputUsesTheNoInputForm() {
        assertEquals(NO_INPUT, ALPACA.prompt(Conversation.alpaca("Name a primary color.", "", "")));
    }

    @Test
    void promptWithInputIsAlpacaLorasWording() {
        assertEquals(WITH_INPUT, ALPACA.prompt(Conversation.alpaca("Translate to French.", "cat", null)));
    }

    @Test
    void renderedTrainingTextIsPromptThenResponseWithOnlyTheResponseTrainable() {
        assertEquals(List.of(new Segment(WITH_INPUT, false), new Segment("chat", true)),
                ALPACA.render(Conversation.alpaca("Translate to French.", "cat", "chat"), false));
    }

    @Test
    void variantsChangeOnlyTheirWording() {
        Conversation c = Conversation.alpaca("Name a primary color.", "", null);
        assertEquals("Below is an instruction that describes a task. Write a response that appropriately completes the"
                + " request.\n\n### Instruction:\nName a primary color.\n\n### Response:",
                alpaca(Map.of("variant", "legacy")).prompt(c));
        assertEquals("### Instruction:\nName a primary color.\n\n### Response:\n",
                alpaca(Map.of("variant", "short")).prompt(c));
        assertEquals("Below is an instruction that describes a task. Write a response that appropriately completes the"
                + " request.\n\n### Instruction:\nName a primary color.\n\n### Response: ",
                alpaca(Map.of("variant", "qlora")).prompt(c));
        assertEquals("### Instruction:\nTranslate to French.\n\n### Input:\ncat\n\n### Response:\n",
                alpaca(Map.of("variant", "short")).prompt(Conversation.alpaca("Translate to French.", "cat", null)));
    }

    @Test
    void aSystemTurnReplacesThePreamble() {
        Conversation c = new Conversation(List.of(Message.system("You are a painter."),
                Message.user("Name a primary color.")), "");
        assertEquals("You are a painter.\n\n### Instruction:\nName a primary color.\n\n### Response:\n", ALPACA.prompt(c));
    }

    @Test
    void multiTurnConversationsAreRefusedWithAPointerToMultiTurnTemplates() {
        Conversation c = Conversation.of(Message.user("a"), Message.assistant("b"), Message.user("c"));
        IbexException e = assertThrows(IbexException.class, () -> ALPACA.prompt(c));
        assertTrue(e.getMessage().contains("[user, assistant, user]") && e.getMessage().contains("guanaco or chatml"),
                e.getMessage());
    }

    @Test
    void aGenerationPromptNeedsTheUserTurnLast() {
        IbexException e = assertThrows(IbexException.class, () -> ALPACA.prompt(COLOR));
        assertTrue(e.getMessage().contains("ends with assistant"), e.getMessage());
    }

    @Test
    void encodeMasksBosAndPromptAndTrainsResponseAndEos() {
        EncodedExample e = ALPACA.encode(COLOR, PieceTokenizer.withBos(), false, 256);
        new Expected().masked(BOS).masked(NO_INPUT).trained("Blue.").trained(EOS).assertEncodes(e);
    }

    @Test
    void trainOnInputsTrainsEveryPositionIncludingBos() {
        EncodedExample e = ALPACA.encode(COLOR, PieceTokenizer.withBos(), true, 256);
        new Expected().trained(BOS).trained(NO_INPUT).trained("Blue.").trained(EOS).assertEncodes(e);
    }

    @Test
    void withoutBosTheMaskCoversThePromptOnly() {
        EncodedExample e = ALPACA.encode(COLOR, PieceTokenizer.withoutBos(), false, 256);
        new Expected().masked(NO_INPUT).trained("Blue.").trained(EOS).assertEncodes(e);
    }

    @Test
    void addEosTokenGivesTheSameMaskWhenThePromptFitsTheCutoff() {
        EncodedExample e = alpaca(Map.of("add_eos_token", true)).encode(COLOR, PieceTokenizer.withBos(), false, 256);
        new Expected().masked(BOS).masked(NO_INPUT).trained("Blue.").trained(EOS).assertEncodes(e);
    }

    @Test
    void truncationCutsAtTheCutoffAndThenAddsNoEos() {
        int cutoff = 1 + NO_INPUT.length() + 2;
        EncodedExample e = ALPACA.encode(COLOR, PieceTokenizer.withBos(), false, cutoff);
        new Expected().masked(BOS).masked(NO_INPUT).trained("Bl").assertEncodes(e);
    }

    @Test
    void eosIsAddedWhenOneIdBelowTheCutoff() {
        int cutoff = 1 + NO_INPUT.length() + "Blue.".length() + 1;
        EncodedExample e = ALPACA.encode(COLOR, PieceTokenizer.withBos(), false, cutoff);
        new Expected().masked(BOS).masked(NO_INPUT).trained("Blue.").trained(EOS).assertEncodes(e);
    }

    @Test
    void aPromptFillingTheCutoffIsAllMasked() {
        EncodedExample e = ALPACA.encode(COLOR, PieceTokenizer.withBos(), false, 10);
        new Expected().masked(BOS).masked(NO_INPUT.substring(0, 9)).assertEncodes(e);
    }

    /** alpaca-lora subtracts one for the EOS it expected to append, even when the cutoff stopped it. */
    @Test
    void addEosTokenWithAPromptFillingTheCutoffTrainsItsLastTokenAsAlpacaLoraDoes() {
        EncodedExample e = alpaca(Map.of("add_eos_token", "true")).encode(COLOR, PieceTokenizer.withBos(), false, 10);
        new Expected().masked(BOS).masked(NO_INPUT.substring(0, 8)).trained(NO_INPUT.substring(8, 9)).assertEncodes(e);
    }

    @Test
    void aResponseEndingInALiteralEosGetsNoSecondEos() {
        EncodedExample e = ALPACA.encode(Conversation.alpaca("Name a primary color.", "", "Blue.</s>"),
                PieceTokenizer.withBos(), false, 256);
        new Expected().masked(BOS).masked(NO_INPUT).trained("Blue.").trained(EOS).assertEncodes(e);
    }

    /** The mask counts prompt tokens; a token merging "\n" with the response's start is masked, as in alpaca-lora. */
    @Test
    void aTokenMergingPromptAndResponseIsMaskedWithThePrompt() {
        PieceTokenizer tokenizer = PieceTokenizer.withBos().pieces("\nBlue");
        EncodedExample e = ALPACA.encode(COLOR, tokenizer, false, 256);
        String promptBeforeNewline = NO_INPUT.substring(0, NO_INPUT.length() - 1);
        new Expected().masked(BOS).masked(promptBeforeNewline).masked(PieceTokenizer.piece(0)).trained(".")
                .trained(EOS).assertEncodes(e);
    }

    @Test
    void anEmptyOutputTrainsOnlyTheEos() {
        EncodedExample e = ALPACA.encode(Conversation.alpaca("Name a primary color.", "", ""),
                PieceTokenizer.withBos(), false, 256);
        new Expected().masked(BOS).masked(NO_INPUT).trained(EOS).assertEncodes(e);
    }

    @Test
    void qloraVariantUsesQlorasCollator() {
        ChatTemplate qlora = alpaca(Map.of("variant", "qlora"));
        String prompt = "Below is an instruction that describes a task. Write a response that appropriately completes"
                + " the request.\n\n### Instruction:\nName a primary color.\n\n### Response: ";
        // Source and target are tokenized apart, so each run of text gets its own SentencePiece "▁".
        EncodedExample e = qlora.encode(COLOR, PieceTokenizer.withBos().spacePrefix(), false, 256);
        new Expected().masked(BOS, PieceTokenizer.SPACE_MARK).masked(prompt)
                .trained(PieceTokenizer.SPACE_MARK).trained("Blue.").trained(EOS).assertEncodes(e);
    }

    @Test
    void qloraVariantAppliesSourceAndTargetLimits() {
        ChatTemplate qlora = alpaca(Map.of("variant", "qlora", "source_max_len", 4, "target_max_len", "3"));
        EncodedExample e = qlora.encode(COLOR, PieceTokenizer.withBos(), false, 256);
        new Expected().masked(BOS).masked("Bel").trained("Blu").assertEncodes(e);
    }

    @Test
    void optionsOfTheOtherRecipeAreRefused() {
        assertTrue(assertThrows(IbexException.class, () -> alpaca(Map.of("source_max_len", 16))).getMessage()
                .contains("variant: qlora"));
        assertTrue(assertThrows(IbexException.class,
                () -> alpaca(Map.of("variant", "qlora", "add_eos_token", true))).getMessage().contains("add_eos_token"));
    }

    @Test
    void unknownOptionsAndValuesAreNamed() {
        IbexException key = assertThrows(IbexException.class, () -> alpaca(Map.of("system_prompt", true)));
        assertEquals("chat template alpaca: unknown option \"system_prompt\"; valid options: add_eos_token,"
                + " source_max_len, target_max_len, variant", key.getMessage());
        IbexException value = assertThrows(IbexException.class, () -> alpaca(Map.of("variant", "vicuna")));
        assertEquals("chat template alpaca: option variant must be one of alpaca, legacy, short, qlora, not \"vicuna\"",
                value.getMessage());
        assertThrows(IbexException.class, () -> alpaca(Map.of("add_eos_token", "yes")));
    }

    @Test
    void extractReplyCutsAtTheNextAlpacaHeaderAndTrims() {
        assertEquals("Blue.", ALPACA.extractReply(" Blue.  \n"));
        assertEquals("Blue.", ALPACA.extractReply("Blue.\n\n### Instruction:\nName another color."));
        assertEquals("Blue.", ALPACA.extractReply("Blue.### Response: Red."));
    }
}
