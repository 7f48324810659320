package dev.ibex.api.plugin;

import dev.ibex.spi.Availability;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.Provider;
import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.backend.BackendProvider;
import dev.ibex.spi.chat.ChatTemplateProvider;
import dev.ibex.spi.quant.QuantizerProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Every plugin on the module path, found once with {@link ServiceLoader}. A provider that fails to load is kept as
 * a broken entry (shown by {@code ibex plugins} with the reason) rather than failing the whole runtime.
 */
public final class Plugins {
    private final List<ArchitectureProvider> architectures;
    private final List<BackendProvider> backends;
    private final List<QuantizerProvider> quantizers;
    private final List<ChatTemplateProvider> templates;
    private final List<PluginInfo> broken;

    private Plugins(List<ArchitectureProvider> architectures, List<BackendProvider> backends,
                    List<QuantizerProvider> quantizers, List<ChatTemplateProvider> templates,
                    List<PluginInfo> broken) {
        this.architectures = List.copyOf(architectures);
        this.backends = List.copyOf(backends);
        this.quantizers = List.copyOf(quantizers);
        this.templates = List.copyOf(templates);
        this.broken = List.copyOf(broken);
    }

    private static volatile Plugins installed;

    /** The plugins visible to this module's layer, loaded once. */
    public static Plugins installed() {
        Plugins p = installed;
        if (p == null) {
            synchronized (Plugins.class) {
                if (installed == null) {
                    installed = discover();
                }
                p = installed;
            }
        }
        return p;
    }

    /** Discovers the plugins again (tests that add providers to a layer use {@link #of}). */
    public static Plugins discover() {
        List<PluginInfo> broken = new ArrayList<>();
        return new Plugins(
                load(ServiceLoader.load(ArchitectureProvider.class), "architecture", broken),
                load(ServiceLoader.load(BackendProvider.class), "backend", broken),
                load(ServiceLoader.load(QuantizerProvider.class), "quantizer", broken),
                load(ServiceLoader.load(ChatTemplateProvider.class), "chat-template", broken),
                broken);
    }

    /** A registry of exactly these providers (for tests and embedding). */
    public static Plugins of(List<ArchitectureProvider> architectures, List<BackendProvider> backends,
                             List<QuantizerProvider> quantizers, List<ChatTemplateProvider> templates) {
        return new Plugins(architectures, backends, quantizers, templates, List.of());
    }

    private static <T> List<T> load(ServiceLoader<T> loader, String kind, List<PluginInfo> broken) {
        List<T> found = new ArrayList<>();
        var it = loader.stream().iterator();
        while (true) {
            ServiceLoader.Provider<T> provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                broken.add(new PluginInfo(kind, "?", "?", "?", "", Availability.no("failed to load: " + e.getMessage())));
                continue;
            }
            try {
                found.add(provider.get());
            } catch (ServiceConfigurationError | RuntimeException e) {
                String module = provider.type().getModule().getName();
                broken.add(new PluginInfo(kind, provider.type().getSimpleName(), "?", module, "",
                        Availability.no("failed to start: " + e.getMessage())));
            }
        }
        return found;
    }

    public List<ArchitectureProvider> architectures() {
        return architectures;
    }

    public List<BackendProvider> backends() {
        return backends;
    }

    public List<QuantizerProvider> quantizers() {
        return quantizers;
    }

    public List<ChatTemplateProvider> templates() {
        return templates;
    }

    /** The architecture for a config: by {@code model_type}, then by {@code architectures} class name. */
    public ArchitectureProvider architectureFor(HfConfig config) {
        String type = config.modelType();
        for (ArchitectureProvider p : architectures) {
            if (p.modelTypes().contains(type)) {
                return p;
            }
        }
        for (String cls : config.architectures()) {
            for (ArchitectureProvider p : architectures) {
                if (p.architectureClasses().contains(cls)) {
                    return p;
                }
            }
        }
        String known = architectures.stream().flatMap(p -> p.modelTypes().stream()).sorted()
                .collect(Collectors.joining(", "));
        String what = type.isEmpty() ? "no model_type" : "unknown model_type \"" + type + "\"";
        throw new IbexException(config.source() + ": " + what
                + (config.architectures().isEmpty() ? "" : " (architectures " + config.architectures() + ")")
                + "; installed architectures handle: " + (known.isEmpty() ? "none (no architecture plugin installed)" : known));
    }

    /**
     * The backend to use: the named one (failing clearly when it is missing or unavailable), or the available
     * one with the highest priority.
     */
    public BackendProvider backend(String name) {
        return backend(name, notice -> { });
    }

    /**
     * As {@link #backend(String)}; when the choice is automatic, every installed backend that would have won on
     * priority but is unavailable is reported to {@code notices} in one line with its reason, so a user who
     * expected a GPU learns why the CPU runs ("backend \"tornado\" is not available (no device: ...); using
     * \"cpu\"").
     */
    public BackendProvider backend(String name, Consumer<String> notices) {
        if (name != null && !name.isBlank() && !name.equals("auto")) {
            BackendProvider p = backends.stream().filter(b -> b.name().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow(() -> new IbexException("unknown backend \"" + name + "\"; installed: " + names(backends)));
            Availability a = p.availability();
            if (!a.available()) {
                throw new IbexException("backend \"" + name + "\" is not available here: " + a.detail());
            }
            return p;
        }
        BackendProvider chosen = backends.stream().filter(b -> b.availability().available())
                .max(Comparator.comparingInt(BackendProvider::priority))
                .orElseThrow(() -> new IbexException("no compute backend is available; installed: " + names(backends)));
        backends.stream()
                .filter(b -> b.priority() > chosen.priority() && !b.availability().available())
                .sorted(Comparator.comparingInt(BackendProvider::priority).reversed())
                .forEach(b -> notices.accept("backend \"" + b.name() + "\" is not available (" + b.availability().detail()
                        + "); using \"" + chosen.name() + "\""));
        return chosen;
    }

    /** The template provider of this name; an unknown name lists the known ones. */
    public ChatTemplateProvider template(String name) {
        return templates.stream().filter(t -> t.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IbexException("unknown chat template \"" + name + "\"; known templates: "
                        + names(templates)));
    }

    /** The quantizer for a format id ({@code nf4}, {@code int8}). */
    public QuantizerProvider quantizer(String format) {
        String f = format.toLowerCase(Locale.ROOT);
        return quantizers.stream().filter(q -> q.formats().contains(f)).findFirst()
                .orElseThrow(() -> new IbexException("no quantizer for format \"" + format + "\"; installed formats: "
                        + quantizers.stream().flatMap(q -> q.formats().stream()).sorted().collect(Collectors.joining(", "))));
    }

    /** Finds a quantizer, if one handles {@code format}. */
    public Optional<QuantizerProvider> findQuantizer(String format) {
        return quantizers.stream().filter(q -> q.formats().contains(format)).findFirst();
    }

    /** Every provider with its availability, for {@code ibex plugins}. */
    public List<PluginInfo> describe() {
        List<PluginInfo> out = new ArrayList<>();
        architectures.forEach(p -> out.add(info("architecture", p,
                p.description().isEmpty() ? "model_type " + String.join(", ", p.modelTypes()) : p.description())));
        backends.forEach(p -> out.add(info("backend", p, p.description() + " (priority " + p.priority() + ")")));
        quantizers.forEach(p -> out.add(info("quantizer", p,
                p.description().isEmpty() ? "formats " + String.join(", ", p.formats()) : p.description())));
        templates.forEach(p -> out.add(info("chat-template", p, p.description())));
        out.addAll(broken);
        return out;
    }

    private static PluginInfo info(String kind, Provider p, String description) {
        Availability a;
        try {
            a = p.availability();
        } catch (RuntimeException | LinkageError e) {
            a = Availability.no("availability check failed: " + e);
        }
        return new PluginInfo(kind, p.name(), p.version(), p.getClass().getModule().getName(), description, a);
    }

    private static String names(List<? extends Provider> providers) {
        return providers.isEmpty() ? "none" : providers.stream().map(Provider::name).sorted().collect(Collectors.joining(", "));
    }
}
