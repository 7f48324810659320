/** A chat template plugin written outside Ibex: compiled against the SPI only, by ThirdPartyTemplateTest. */
module dev.example.vicuna {
    requires dev.ibex.spi;

    provides dev.ibex.spi.chat.ChatTemplateProvider with dev.example.vicuna.VicunaTemplateProvider;
}
