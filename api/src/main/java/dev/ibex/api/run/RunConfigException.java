package dev.ibex.api.run;

import dev.ibex.spi.IbexException;

/** A run config that cannot be used; the message names the file, line, key and the fix. */
public final class RunConfigException extends IbexException {
    public RunConfigException(String message) {
        super(message);
    }
}
