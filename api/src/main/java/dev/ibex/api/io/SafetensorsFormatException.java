package dev.ibex.api.io;

import dev.ibex.spi.IbexException;

/** A safetensors file that is truncated, corrupt or hostile; the message names the file and what is wrong. */
public final class SafetensorsFormatException extends IbexException {
    public SafetensorsFormatException(String message) {
        super(message);
    }
}
