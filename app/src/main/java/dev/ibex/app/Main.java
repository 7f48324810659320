package dev.ibex.app;

import dev.ibex.spi.IbexException;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.Reader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code ibex}: the entry point. */
@Command(name = "ibex", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Fine-tune (LoRA, QLoRA) and run open LLMs on the JVM.",
        subcommands = {PluginsCommand.class, InspectCommand.class, TokenizeCommand.class, DetokenizeCommand.class,
                GenerateCommand.class, ChatCommand.class, ForwardCommand.class, TrainCommand.class, RunCommand.class,
                MergeCommand.class, InitCommand.class, QuantizeCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--verbose", description = "Print stack traces with errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, null, out, err);
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with {@code in} as the terminal input (null: stdin). */
    public static int run(String[] args, Reader in, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        if (in != null) {
            ((ChatCommand) cli.getSubcommands().get("chat").getCommand()).input = new BufferedReader(in);
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.matchedOptionValue("--verbose", false)
                    || parseResult.subcommands().stream().anyMatch(p -> p.matchedOptionValue("--verbose", false));
            Throwable cause = ex;
            while (!(cause instanceof IbexException) && cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            if (cause instanceof IbexException) {
                err.println("ibex: error: " + cause.getMessage());
            } else {
                err.println("ibex: internal error: " + ex + " (rerun with --verbose for details, and please report it)");
            }
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("ibex: error: out of memory; give the JVM more with IBEX_OPTS=-Xmx<size>, or use a smaller "
                    + "model, batch or sequence length");
            err.flush();
            return 1;
        }
    }

    /** The version from the module descriptor. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = Main.class.getModule().getDescriptor();
            return new String[] {"ibex " + (v != null && v.version().isPresent() ? v.version().get() : "dev")};
        }
    }
}
