package dev.ibex.spi.arch;

import dev.ibex.spi.IbexException;

/** A {@code config.json} (or run config) that is missing a key, has a wrong type, or asks for something unsupported. */
public class ConfigException extends IbexException {
    public ConfigException(String message) {
        super(message);
    }
}
