package dev.ibex.backend.tornado.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.backend.BackendProvider;
import java.util.ServiceLoader;

/**
 * The backend under test, found the way the runtime finds it: through its provider. The tests run on the class
 * path and the backend's package is not exported, so this is the only way in, as for any application.
 */
final class TornadoTestBackend {
    private TornadoTestBackend() {
    }

    static BackendProvider provider() {
        return ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("tornado")).findFirst()
                .orElseThrow(() -> new AssertionError("the tornado backend's provider is not on the module path"));
    }

    /** A new backend on TornadoVM's default device; fails (never skips) when TornadoVM is not usable here. */
    static Backend create() {
        BackendProvider p = provider();
        assertTrue(p.availability().available(), () -> "tornado backend unavailable: " + p.availability().detail());
        return p.create(BackendOptions.defaults());
    }
}
