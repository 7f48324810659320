package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;

/**
 * One {@code ibex} command run in-process, as the tests see it: exit code, stdout and stderr.
 *
 * @param code the exit code
 * @param out  what it printed to stdout
 * @param err  what it printed to stderr
 */
public record Cli(int code, String out, String err) {
    /** Runs {@code ibex args...} with an empty stdin. */
    public static Cli run(String... args) {
        return runWithInput("", args);
    }

    /** Runs {@code ibex args...} reading {@code stdin} as the terminal input (for {@code chat}). */
    public static Cli runWithInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new StringReader(stdin), new PrintWriter(out), new PrintWriter(err));
        return new Cli(code, out.toString(), err.toString());
    }

    /** Asserts the exit code (showing both streams when it differs) and returns this. */
    public Cli expect(int expected) {
        assertEquals(expected, code, () -> "exit code; stderr: " + err + "\nstdout: " + out);
        return this;
    }
}
