package dev.ibex.spi;

import java.util.Objects;

/**
 * Whether a provider can be used on this machine, and why (not).
 *
 * @param available true when the provider can be used
 * @param detail    for an available provider a short description (e.g. the device), otherwise the reason and,
 *                  where there is one, the fix ("TornadoVM not installed: set TORNADOVM_HOME to an SDK")
 */
public record Availability(boolean available, String detail) {
    public Availability {
        Objects.requireNonNull(detail, "detail");
    }

    public static Availability yes(String detail) {
        return new Availability(true, detail);
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
