package dev.ibex.spi;

/**
 * An error the user can act on. Its message names the file, key or value at fault and, where possible, the fix;
 * the command line prints it as one line and shows the stack trace only with {@code --verbose}.
 */
public class IbexException extends RuntimeException {
    public IbexException(String message) {
        super(message);
    }

    public IbexException(String message, Throwable cause) {
        super(message, cause);
    }
}
