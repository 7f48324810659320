package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.Provider;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.ChatTemplateProvider;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chat template plugin can be added with no change to the core: a module compiled here against the SPI alone, put
 * in a child module layer, is found by {@link Plugins#discover()} once the thread's context class loader is the
 * layer's, and selected by name beside the built-in templates.
 */
class ThirdPartyTemplateTest {
    private static final Path SOURCES = Path.of("src", "test", "resources", "thirdparty");
    private static final String MODULE = "dev.example.vicuna";

    @Test
    void aTemplateInAChildLayerIsDiscoveredByNameAndRenders(@TempDir Path out) throws IOException {
        ModuleLayer layer = compileIntoLayer(out);
        ClassLoader loader = layer.findLoader(MODULE);

        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        Plugins plugins;
        try {
            thread.setContextClassLoader(loader);
            plugins = Plugins.discover();
        } finally {
            thread.setContextClassLoader(previous);
        }

        ChatTemplateProvider provider = plugins.template("vicuna");
        assertSame(layer, provider.getClass().getModule().getLayer(), "the provider comes from the child layer");
        assertEquals(MODULE, provider.getClass().getModule().getName());
        assertTrue(plugins.describe().stream().anyMatch(i -> i.name().equals("vicuna") && i.module().equals(MODULE)),
                plugins.describe()::toString);
        assertEquals(Set.of("alpaca", "chatml", "guanaco", "vicuna"),
                plugins.templates().stream().map(Provider::name).collect(Collectors.toSet()),
                "the built-in templates are still found beside it");

        ChatTemplate vicuna = provider.create(Map.of());
        assertEquals("A chat between a curious user and an artificial intelligence assistant. The assistant gives"
                + " helpful, detailed, and polite answers to the user's questions. USER: Hi ASSISTANT: Hello!</s>"
                + " USER: Name a color. ASSISTANT:", vicuna.prompt(Conversation.of(Message.user("Hi"),
                Message.assistant("Hello!"), Message.user("Name a color."))));
        assertEquals("Blue.", vicuna.extractReply(" Blue.</s>"));
    }

    @Test
    void withoutTheLayerTheTemplateIsUnknownAndTheErrorListsTheKnownOnes() {
        IbexException e = assertThrows(IbexException.class, () -> Plugins.discover().template("vicuna"));
        assertEquals("unknown chat template \"vicuna\"; known templates: alpaca, chatml, guanaco", e.getMessage());
    }

    /** Compiles the third-party sources against dev.ibex.spi and defines them as a module layer over the boot one. */
    private static ModuleLayer compileIntoLayer(Path out) throws IOException {
        // dev.ibex.app does not require java.compiler (the CLI has no use for it), so this test, which runs inside
        // that module, adds the read edge for itself before it first touches javax.tools.
        ThirdPartyTemplateTest.class.getModule().addReads(ModuleLayer.boot().findModule("java.compiler").orElseThrow());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> sources;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        String modulePath = spiAndWhatItReads().stream().map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator));
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path", modulePath,
                "-Xlint:all", "-Werror"));
        args.addAll(sources);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertEquals(0, status, () -> "javac failed:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(out), ModuleFinder.of(), Set.of(MODULE));
        return boot.defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
    }

    /** The jar or folder of dev.ibex.spi and of every module it reads, as the boot layer resolved them. */
    private static Set<Path> spiAndWhatItReads() {
        ResolvedModule spi = ModuleLayer.boot().configuration().findModule("dev.ibex.spi").orElseThrow();
        Set<Path> paths = new HashSet<>();
        Set<ResolvedModule> seen = new HashSet<>();
        Deque<ResolvedModule> todo = new ArrayDeque<>(List.of(spi));
        while (!todo.isEmpty()) {
            ResolvedModule m = todo.pop();
            if (!seen.add(m)) {
                continue;
            }
            m.reference().location().filter(uri -> uri.getScheme().equals("file")).map(Path::of).ifPresent(paths::add);
            todo.addAll(m.reads());
        }
        return paths;
    }
}
