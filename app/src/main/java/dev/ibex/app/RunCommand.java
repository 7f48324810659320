package dev.ibex.app;

import dev.ibex.api.generate.SamplingParams;
import dev.ibex.api.generate.TextGenerator;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.run.RunConfig;
import dev.ibex.api.run.RunConfigParser;
import dev.ibex.api.run.TrainingRun;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.Conversation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ibex run run.yaml}: train, then answer the run's {@code test_prompts} with the trained adapter and with the
 * base model, side by side.
 */
@Command(name = "run", description = "Train as a YAML run file says, then answer its test_prompts with and without the adapter.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN.yaml", description = "The run file.")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RunConfig c = RunConfigParser.parse(config);
        List<String> prompts = c.generation().testPrompts();
        try (TrainingRun run = new TrainingRun(c, Plugins.installed(), msg -> TrainCommand.notice(out, msg));
             TrainingProgress progress = new TrainingProgress(out)) {
            run.train(progress);
            out.println("wrote " + c.output().outputDir());
            if (prompts.isEmpty()) {
                return 0;
            }
            if (run.tokenizer() == null || run.template() == null) {
                throw new IbexException(c.source() + ": test_prompts need a tokenizer and a chat template (text datasets)");
            }
            TextGenerator generator = new TextGenerator(run.model(), run.tokenizer(), run.template(), 0);
            SamplingParams params = new SamplingParams(c.generation().maxNewTokens(), c.generation().temperature(), 0,
                    1.0, 1.0, c.optim().seed(), List.of(), true);
            boolean lora = !run.model().adapters().isEmpty();
            out.println();
            for (String prompt : prompts) {
                Conversation conversation = Conversation.alpaca(prompt, "", null);
                out.println("### " + prompt);
                if (lora) {
                    run.model().setAdaptersEnabled(false);
                    out.println("  base model: " + oneLine(generator.reply(conversation, params, null)));
                    run.model().setAdaptersEnabled(true);
                }
                out.println("  " + (lora ? "with LoRA : " : "trained   : ") + oneLine(generator.reply(conversation, params, null)));
                out.println();
                out.flush();
            }
        }
        out.flush();
        return 0;
    }

    private static String oneLine(String text) {
        String t = text.strip().replace('\n', ' ');
        return t.isEmpty() ? "(nothing)" : t;
    }
}
