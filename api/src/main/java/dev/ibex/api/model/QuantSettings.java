package dev.ibex.api.model;

import dev.ibex.spi.quant.QuantOptions;
import java.util.Set;

/**
 * Quantize linear weights at load time (bitsandbytes' {@code load_in_4bit}/{@code load_in_8bit}). The output head
 * and the modules in {@code skipModules} (matched by name or suffix) stay as stored.
 */
public record QuantSettings(QuantOptions options, Set<String> skipModules) {
    public QuantSettings {
        skipModules = Set.copyOf(skipModules);
    }
}
