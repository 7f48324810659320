package dev.ibex.app;

import dev.ibex.api.tokenizer.HfTokenizer;
import dev.ibex.api.tokenizer.TokenJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ibex tokenize}: text to token ids, as JSON. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = {
    "Print the token ids of a text as a JSON array.",
    "With --input, read one JSON string per line and print one JSON array per line, in order."})
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
            description = "A model folder or a tokenizer.json.")
    Path tokenizer;

    @Option(names = "--no-special", description = "Do not add the model's special tokens (such as LLaMA's <s>).")
    boolean noSpecial;

    @Option(names = "--input", paramLabel = "FILE.jsonl", description = "Texts, one JSON string per line.")
    Path input;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text (or use --input).")
    String text;

    @Override
    public Integer call() {
        requireOne(spec, text, input, "TEXT");
        HfTokenizer t = HfTokenizer.load(tokenizer);
        PrintWriter out = spec.commandLine().getOut();
        if (input == null) {
            out.println(TokenJson.ids(t.encode(text, !noSpecial)));
        } else {
            TokenJson.eachLine(input, (line, where) ->
                    out.println(TokenJson.ids(t.encode(TokenJson.parseText(line, where), !noSpecial))));
        }
        out.flush();
        return 0;
    }

    /** Exactly one of the argument and --input: a usage error otherwise, which picocli reports with the usage. */
    static void requireOne(CommandSpec spec, String argument, Path input, String label) {
        if ((argument == null) == (input == null)) {
            throw new ParameterException(spec.commandLine(), argument == null
                    ? "give " + label + " or --input FILE.jsonl" : "give " + label + " or --input, not both");
        }
    }
}
