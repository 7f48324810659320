package dev.ibex.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs Ibex and its yardstick in one JMH run and prints a Markdown table of the ratios:
 * <ul>
 *   <li>{@code gemm}: {@link MatmulBenchmark}, Ibex vs OpenBLAS, GFLOP/s, per shape, layout and thread count;
 *   <li>{@code gemv}: {@link GemvBenchmark} vs {@link MemoryBandwidthBenchmark}, GB/s, per dtype and thread count.
 * </ul>
 * Further arguments are JMH options ({@code -p threads=2}, {@code -f 2}, {@code -i 10}, ...).
 *
 * <p>Besides JMH's mean ± 99.9% interval, the table gives the ratio of the best iterations: on a shared machine a
 * neighbour's job only ever slows an iteration down, so the best one is the closest to the uncontended speed, and
 * comparing bests is less sensitive to load that changes between the two benchmarks of a pair.
 */
public final class Report {
    private Report() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("gemm") || args[0].equals("gemv"))) {
            System.err.println("usage: Report gemm|gemv [JMH options]");
            System.exit(2);
        }
        boolean gemm = args[0].equals("gemm");
        String[] jmhArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(new CommandLineOptions(jmhArgs));
        if (gemm) {
            options.include(MatmulBenchmark.class.getName() + "\\.");
        } else {
            options.include(GemvBenchmark.class.getName() + "\\.").include(MemoryBandwidthBenchmark.class.getName() + "\\.");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println();
        System.out.println(gemm ? gemmTable(results) : gemvTable(results));
    }

    private static String gemmTable(Collection<RunResult> results) {
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (RunResult r : sorted(results)) {
            String key = String.format("| %s | %s | %s", r.getParams().getParam("shape"), r.getParams().getParam("layout"),
                    r.getParams().getParam("threads"));
            double[] row = rows.computeIfAbsent(key, x -> new double[6]);
            Result<?> flops = r.getSecondaryResults().get("gflop");
            int at = r.getParams().getBenchmark().endsWith(".ibex") ? 0 : 3;
            row[at] = flops.getScore();
            row[at + 1] = flops.getScoreError();
            row[at + 2] = best(r, "gflop");
        }
        StringBuilder out = new StringBuilder("| M×K×N | layout | threads | Ibex GFLOP/s (best) | OpenBLAS GFLOP/s (best)"
                + " | Ibex / OpenBLAS, means | Ibex / OpenBLAS, bests |\n|---|---|---|---|---|---|---|\n");
        rows.forEach((key, v) -> out.append(key).append(String.format(Locale.ROOT,
                " | %.1f ± %.1f (%.1f) | %.1f ± %.1f (%.1f) | %.2f | %.2f |%n", v[0], v[1], v[2], v[3], v[4], v[5],
                v[0] / v[3], v[2] / v[5])));
        return out.toString();
    }

    private static String gemvTable(Collection<RunResult> results) {
        Map<String, double[]> dram = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (RunResult r : sorted(results)) {
            if (r.getParams().getBenchmark().contains("MemoryBandwidth")) {
                Result<?> b = r.getSecondaryResults().get("gbytes");
                dram.put(r.getParams().getParam("threads"), new double[] {b.getScore(), b.getScoreError(), best(r, "gbytes")});
            }
        }
        StringBuilder out = new StringBuilder("| weight | threads | Ibex GEMV GB/s (best) | DRAM read GB/s (best)"
                + " | GEMV / DRAM, means | GEMV / DRAM, bests |\n|---|---|---|---|---|---|\n");
        for (RunResult r : sorted(results)) {
            if (r.getParams().getBenchmark().contains("Gemv")) {
                String threads = r.getParams().getParam("threads");
                Result<?> b = r.getSecondaryResults().get("gbytes");
                double[] d = dram.getOrDefault(threads, new double[] {Double.NaN, Double.NaN, Double.NaN});
                double bestB = best(r, "gbytes");
                lines.add(String.format(Locale.ROOT, "| %s %s | %s | %.1f ± %.1f (%.1f) | %.1f ± %.1f (%.1f) | %.2f | %.2f |",
                        r.getParams().getParam("shape"), r.getParams().getParam("dtype"), threads, b.getScore(),
                        b.getScoreError(), bestB, d[0], d[1], d[2], b.getScore() / d[0], bestB / d[2]));
            }
        }
        lines.forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    /** The best measurement iteration of a secondary result, over all forks. */
    private static double best(RunResult r, String counter) {
        double best = 0;
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult i : b.getIterationResults()) {
                best = Math.max(best, i.getSecondaryResults().get(counter).getScore());
            }
        }
        return best;
    }

    private static List<RunResult> sorted(Collection<RunResult> results) {
        List<RunResult> list = new ArrayList<>(results);
        list.sort(Comparator.comparing((RunResult r) -> r.getParams().getParam("threads") == null ? "" : r.getParams().getParam("threads")));
        return list;
    }
}
