/**
 * The built-in chat templates: alpaca-lora's Alpaca prompt, Guanaco (qlora / OpenAssistant) and ChatML (axolotl).
 * Each renders conversations for inference and encodes them for training exactly as its reference recipe does.
 * Depends on the SPI only, like any third-party template plugin.
 */
module dev.ibex.templates {
    requires dev.ibex.spi;

    provides dev.ibex.spi.chat.ChatTemplateProvider with
            dev.ibex.templates.AlpacaTemplateProvider,
            dev.ibex.templates.GuanacoTemplateProvider,
            dev.ibex.templates.ChatMlTemplateProvider;
}
