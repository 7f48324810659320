package dev.ibex.api.plugin;

import dev.ibex.spi.Availability;

/**
 * One discovered provider, as {@code ibex plugins} shows it.
 *
 * @param kind         "architecture", "backend", "quantizer" or "chat-template"
 * @param name         the name users select it by
 * @param version      its module's version
 * @param module       the module that provides it
 * @param description  one line
 * @param availability whether it can be used here, and why (not)
 */
public record PluginInfo(String kind, String name, String version, String module, String description,
                         Availability availability) {
}
