package dev.ibex.app;

import dev.ibex.api.tokenizer.HfTokenizer;
import dev.ibex.api.tokenizer.TokenJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ibex detokenize}: token ids to text, as JSON. */
@Command(name = "detokenize", mixinStandardHelpOptions = true, description = {
    "Print the text of a JSON array of token ids as a JSON string.",
    "With --input, read one JSON array per line and print one JSON string per line, in order."})
final class DetokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
            description = "A model folder or a tokenizer.json.")
    Path tokenizer;

    @Option(names = "--skip-special", description = "Leave out special tokens (such as </s>).")
    boolean skipSpecial;

    @Option(names = "--input", paramLabel = "FILE.jsonl", description = "Id arrays, one JSON array per line.")
    Path input;

    @Parameters(arity = "0..1", paramLabel = "IDS", description = "The ids, e.g. \"[1,15043]\" (or use --input).")
    String ids;

    @Override
    public Integer call() {
        TokenizeCommand.requireOne(spec, ids, input, "IDS");
        HfTokenizer t = HfTokenizer.load(tokenizer);
        PrintWriter out = spec.commandLine().getOut();
        if (input == null) {
            out.println(TokenJson.text(t.decode(TokenJson.parseIds(ids, "IDS"), skipSpecial)));
        } else {
            TokenJson.eachLine(input, (line, where) ->
                    out.println(TokenJson.text(t.decode(TokenJson.parseIds(line, where), skipSpecial))));
        }
        out.flush();
        return 0;
    }
}
