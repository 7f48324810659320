package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.BackendProvider;
import java.util.ServiceLoader;

/** Prints the tornado provider's availability and priority: run in a child JVM by {@link TornadoAvailabilityTest}. */
public final class ProbeMain {
    private ProbeMain() {
    }

    public static void main(String[] args) {
        BackendProvider p = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.name().equals("tornado")).findFirst().orElseThrow();
        System.out.println(p.availability().available() + "|" + p.priority() + "|" + p.availability().detail());
    }
}
