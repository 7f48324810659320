package dev.ibex.app;

import dev.ibex.api.generate.TextGenerator;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.tokenizer.HfTokenizer;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ibex chat}: an interactive multi-turn chat in the terminal. */
@Command(name = "chat", description = "Chat with a model in the terminal: /reset forgets the history, /exit quits.")
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    SamplingOptions sampling;

    @Option(names = {"-t", "--template"}, paramLabel = "NAME", required = true,
            description = "Chat template: alpaca, guanaco, chatml, ...")
    String template;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
    String system;

    @Option(names = "--max-context", paramLabel = "N", defaultValue = "0",
            description = "Cap the context at N tokens (default: the model's).")
    int maxContext;

    /** Where user lines come from (stdin; tests replace it). */
    BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ChatTemplate chat = Plugins.installed().template(template).create(Map.of());
        try (Model m = ModelLoader.standard().load(model.model, model.loadOptions())) {
            TextGenerator generator = new TextGenerator(m, HfTokenizer.load(m.folder().dir()), chat, maxContext);
            List<Message> history = new ArrayList<>();
            out.println("chatting with " + model.model.getFileName() + " (" + template + "); /reset forgets, /exit quits");
            if (!chat.multiTurn()) {
                out.println("(" + template + " takes one instruction at a time: each message is answered on its own;"
                        + " use -t guanaco or -t chatml for a multi-turn chat)");
            }
            while (true) {
                out.print("you> ");
                out.flush();
                String line = input.readLine();
                if (line == null || line.strip().equals("/exit") || line.strip().equals("/quit")) {
                    out.println();
                    break;
                }
                if (line.strip().equals("/reset")) {
                    history.clear();
                    out.println("(history cleared)");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                if (!chat.multiTurn()) {
                    history.clear();
                }
                history.add(Message.user(line));
                List<Message> turns = new ArrayList<>();
                if (system != null) {
                    turns.add(Message.system(system));
                }
                turns.addAll(history);
                out.print("bot> ");
                out.flush();
                String reply = generator.reply(new Conversation(turns, ""), sampling.params(), piece -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
                history.add(Message.assistant(reply));
            }
        }
        out.flush();
        return 0;
    }
}
