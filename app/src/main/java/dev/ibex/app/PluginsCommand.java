package dev.ibex.app;

import dev.ibex.api.plugin.PluginInfo;
import dev.ibex.api.plugin.Plugins;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ibex plugins}: every discovered provider by kind, with version and availability. */
@Command(name = "plugins", description = "List the installed plugins by kind, with version and availability.")
final class PluginsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<PluginInfo> plugins = Plugins.installed().describe();
        String format = "%-14s %-12s %-14s %-10s %s%n";
        out.printf(format, "KIND", "NAME", "VERSION", "STATUS", "DETAILS");
        for (PluginInfo p : plugins) {
            String status = p.availability().available() ? "available" : "UNAVAILABLE";
            String details = p.availability().available()
                    ? join(p.description(), p.availability().detail()) : p.availability().detail();
            out.printf(format, p.kind(), p.name(), p.version(), status, details + "  [" + p.module() + "]");
        }
        out.flush();
        return 0;
    }

    private static String join(String a, String b) {
        if (a.isBlank()) {
            return b;
        }
        return b.isBlank() || b.equals("ready") ? a : a + "; " + b;
    }
}
