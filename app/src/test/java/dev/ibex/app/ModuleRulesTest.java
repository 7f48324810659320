package dev.ibex.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ResolvedModule;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of the design card, checked on the compiled classes of every Ibex module: plugins see only the
 * SPI, the SPI sees only the JDK and Arrow, no package cycles, and the core exports only what users need.
 */
class ModuleRulesTest {
    /** Plugin modules and the root package of each. */
    private static final List<String> PLUGIN_PACKAGES = List.of(
            "dev.ibex.arch.opt", "dev.ibex.arch.llama", "dev.ibex.arch.falcon", "dev.ibex.arch.mistral",
            "dev.ibex.backend.cpu", "dev.ibex.backend.tornado", "dev.ibex.quant.nf4", "dev.ibex.quant.int8",
            "dev.ibex.templates");

    private static JavaClasses classes;

    @BeforeAll
    static void importIbexModules() throws java.io.IOException {
        Set<Location> locations = new java.util.HashSet<>();
        for (ResolvedModule m : ibexModules()) {
            Path path = m.reference().location().map(Path::of).orElseThrow();
            // ArchUnit's path import finds no classes in jars on the module path; open them as JarFiles.
            locations.add(path.toString().endsWith(".jar") ? Location.of(new JarFile(path.toFile())) : Location.of(path));
        }
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importLocations(locations);
    }

    private static List<ResolvedModule> ibexModules() {
        return ModuleLayer.boot().configuration().modules().stream()
                .filter(m -> m.name().startsWith("dev.ibex."))
                .toList();
    }

    @Test
    void everyModuleIsPresent() {
        Set<String> names = ibexModules().stream().map(ResolvedModule::name).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(names.containsAll(Set.of("dev.ibex.spi", "dev.ibex.api", "dev.ibex.app", "dev.ibex.backend.cpu")),
                names::toString);
        assertFalse(classes.isEmpty());
    }

    @Test
    void pluginsDependOnTheSpiOnly() {
        for (String plugin : PLUGIN_PACKAGES) {
            List<String> forbidden = new java.util.ArrayList<>(List.of("dev.ibex.api..", "dev.ibex.app.."));
            PLUGIN_PACKAGES.stream().filter(p -> !p.equals(plugin)).forEach(p -> forbidden.add(p + ".."));
            noClasses().that().resideInAPackage(plugin + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                    .because("a plugin compiles against the SPI only")
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    @Test
    void spiDependsOnTheJdkAndArrowOnly() {
        noClasses().that().resideInAPackage("dev.ibex.spi..")
                .should().dependOnClassesThat().resideOutsideOfPackages(
                        "dev.ibex.spi..", "java..", "javax..", "jdk..", "org.apache.arrow..")
                .because("third parties compile against the SPI; it must not drag in libraries")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.ibex.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void pluginModulesRequireOnlyTheSpi() {
        for (ResolvedModule m : ibexModules()) {
            String name = m.name();
            if (PLUGIN_PACKAGES.contains(name)) {
                Set<String> required = m.reference().descriptor().requires().stream()
                        .map(ModuleDescriptor.Requires::name)
                        .filter(r -> r.startsWith("dev.ibex."))
                        .collect(Collectors.toSet());
                assertEquals(Set.of("dev.ibex.spi"), required, name + " may require only dev.ibex.spi");
            }
        }
    }

    @Test
    void theCoreExportsOnlyItsPublicPackages() {
        ModuleDescriptor api = ModuleLayer.boot().findModule("dev.ibex.api").orElseThrow().getDescriptor();
        Set<String> exported = api.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertFalse(exported.stream().anyMatch(p -> p.contains(".internal")), "internal packages must stay hidden: " + exported);
        api.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .forEach(e -> assertEquals(Set.of("dev.ibex.app"), e.targets(), e.source() + " is exported beyond the CLI"));
        assertTrue(api.uses().containsAll(Set.of("dev.ibex.spi.arch.ArchitectureProvider",
                "dev.ibex.spi.backend.BackendProvider", "dev.ibex.spi.quant.QuantizerProvider",
                "dev.ibex.spi.chat.ChatTemplateProvider")), api.uses()::toString);
    }
}
