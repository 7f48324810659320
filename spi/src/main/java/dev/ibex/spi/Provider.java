package dev.ibex.spi;

/**
 * What every Ibex plugin provider has in common: a name users type, a version and an availability report.
 * The concrete provider interfaces ({@code ArchitectureProvider}, {@code BackendProvider},
 * {@code QuantizerProvider}, {@code ChatTemplateProvider}) extend it.
 */
public interface Provider {

    /** The name users select this provider by, in YAML and on the command line (e.g. {@code "llama"}, {@code "cpu"}). */
    String name();

    /** A one-line description shown by {@code ibex plugins}. */
    default String description() {
        return "";
    }

    /** The version of the module that holds the provider, or {@code "dev"} when it has none. */
    default String version() {
        Module module = getClass().getModule();
        if (module.isNamed() && module.getDescriptor().version().isPresent()) {
            return module.getDescriptor().version().get().toString();
        }
        String implementation = getClass().getPackage().getImplementationVersion();
        return implementation != null ? implementation : "dev";
    }

    /** Whether this provider can be used here; only backends usually have a reason not to be. */
    default Availability availability() {
        return Availability.yes("ready");
    }
}
