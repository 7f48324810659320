package dev.ibex.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ibex.spi.chat.ChatTemplateProvider;
import java.lang.module.ModuleDescriptor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module declares one provider per template, and each creates its template under its own name. */
class ProvidersTest {
    @Test
    void moduleProvidesTheThreeTemplates() {
        ModuleDescriptor descriptor = ProvidersTest.class.getModule().getDescriptor();
        Set<String> provided = descriptor.provides().stream()
                .filter(p -> p.service().equals(ChatTemplateProvider.class.getName()))
                .flatMap(p -> p.providers().stream())
                .collect(Collectors.toSet());
        assertEquals(Set.of(AlpacaTemplateProvider.class.getName(), GuanacoTemplateProvider.class.getName(),
                ChatMlTemplateProvider.class.getName()), provided);
        assertEquals(Set.of("dev.ibex.spi"), descriptor.requires().stream().map(ModuleDescriptor.Requires::name)
                .filter(n -> !n.startsWith("java.")).collect(Collectors.toSet()));
    }

    @Test
    void eachProviderCreatesItsTemplateWithDefaultOptions() {
        for (ChatTemplateProvider p : List.of(new AlpacaTemplateProvider(), new GuanacoTemplateProvider(),
                new ChatMlTemplateProvider())) {
            assertEquals(p.name(), p.create(Map.of()).name());
            assertEquals(p.name(), p.create(null).name());
        }
    }
}
