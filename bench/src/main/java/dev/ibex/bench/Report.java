package dev.ibex.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Measures Ibex against its yardstick in one run and prints a Markdown table of the ratios:
 * <ul>
 *   <li>{@code gemm}: {@link MatmulBenchmark}, Ibex vs OpenBLAS {@code cblas_sgemm}, GFLOP/s, per shape, layout and
 *       thread count;
 *   <li>{@code gemv}: {@link GemvBenchmark} vs {@link MemoryBandwidthBenchmark}, GB/s, per weight type and thread
 *       count; then the INT8 and NF4 kernels' ceiling, the same product on a weight held in the L3 cache, against
 *       the same DRAM yardstick;
 *   <li>{@code decode}: {@link DecodeBenchmark}: decoding (weight GB/s vs {@link MemoryBandwidthBenchmark}) and
 *       prefill (GFLOP/s vs OpenBLAS on the model's MLP product at the prompt's length) of a 440M-parameter
 *       LLaMA-shaped model in BF16, INT8 and NF4, 2 threads, with tokens/s.
 * </ul>
 * The machines are shared, so each pair is measured back to back (Ibex, then its reference, in fresh forks) and the
 * whole list is repeated {@code --rounds} times (default 3): load that comes and goes then hits both sides of a
 * pair alike. The table gives each side's mean over all measured iterations, the median over rounds of the ratio
 * of means, and the ratio of the best iterations (a neighbour's job only ever slows an iteration down, so the
 * best is the closest to uncontended speed). Each run is 2 warm-up and 4 measured iterations of 1 s unless JMH
 * options say otherwise ({@code -i 10}, {@code -r 2s}, ...).
 */
public final class Report {
    private static final String[] SHAPES = {"1024x1024x1024", "2048x2048x2048", "512x2048x5632"};
    private static final String[] LAYOUTS = {"linear", "backwardInput", "backwardWeight"};
    private static final String[] DTYPES = {"F32", "BF16", "F16", "INT8", "NF4"};
    private static final String[] THREADS = {"1", "2"};
    /** The GEMV weight that is larger than the L3 in every format (NF4 only just: 35 MB). */
    private static final String STREAMED = "8192x8192";
    /** A GEMV weight that fits the 32 MB L3 in INT8 (8.4 MB) and NF4 (4.2 MB). */
    private static final String CACHED = "1024x8192";

    /** One row of the table: the two benchmarks of a pair and their parameters. */
    private record Pair(String label, String ours, Map<String, String> ourParams, String theirs,
                        Map<String, String> theirParams, String counter, String extra) {
        Pair(String label, String ours, Map<String, String> ourParams, String theirs, Map<String, String> theirParams,
             String counter) {
            this(label, ours, ourParams, theirs, theirParams, counter, null);
        }
    }

    /** Per pair: the measured iterations of each side, and the ratio of means of each round. */
    private static final class Samples {
        final List<Double> ours = new ArrayList<>();
        final List<Double> theirs = new ArrayList<>();
        final List<Double> roundRatios = new ArrayList<>();
        final List<Double> extra = new ArrayList<>();
    }

    private Report() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !List.of("gemm", "gemv", "decode").contains(args[0])) {
            System.err.println("usage: Report gemm|gemv|decode [--rounds N] [JMH options]");
            System.exit(2);
        }
        int rounds = 3;
        List<String> jmhArgs = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        int at = jmhArgs.indexOf("--rounds");
        if (at >= 0) {
            rounds = Integer.parseInt(jmhArgs.get(at + 1));
            jmhArgs.subList(at, at + 2).clear();
        }
        CommandLineOptions jmh = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        List<Pair> pairs = switch (args[0]) {
            case "gemm" -> gemmPairs();
            case "gemv" -> gemvPairs();
            default -> decodePairs();
        };
        Map<Pair, Samples> samples = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Pair pair : pairs) {
                Samples s = samples.computeIfAbsent(pair, p -> new Samples());
                RunResult result = run(jmh, pair.ours(), pair.ourParams());
                List<Double> ours = iterations(result, pair.counter());
                if (pair.extra() != null) {
                    s.extra.addAll(iterations(result, pair.extra()));
                }
                List<Double> theirs = iterations(run(jmh, pair.theirs(), pair.theirParams()), pair.counter());
                s.ours.addAll(ours);
                s.theirs.addAll(theirs);
                s.roundRatios.add(mean(ours) / mean(theirs));
            }
        }
        String header = switch (args[0]) {
            case "gemm" -> "| M×K×N, layout, threads | Ibex GFLOP/s | OpenBLAS GFLOP/s";
            case "gemv" -> "| weight, threads | Ibex GEMV GB/s | DRAM read GB/s";
            default -> "| model, weights, 2 threads | Ibex | reference (DRAM read GB/s; OpenBLAS GFLOP/s)";
        };
        boolean extra = pairs.stream().anyMatch(p -> p.extra() != null);
        StringBuilder out = new StringBuilder(header).append(" | ratio, median of rounds | ratio of bests |")
                .append(extra ? " tokens/s (best) |\n|---|---|---|---|---|---|\n" : "\n|---|---|---|---|---|\n");
        samples.forEach((pair, s) -> out.append(String.format(Locale.ROOT,
                "| %s | %.1f (best %.1f) | %.1f (best %.1f) | %.2f (%s) | %.2f |", pair.label(), mean(s.ours),
                max(s.ours), mean(s.theirs), max(s.theirs), median(s.roundRatios), range(s.roundRatios),
                max(s.ours) / max(s.theirs))).append(extra
                ? String.format(Locale.ROOT, " %.1f (%.1f) |%n", mean(s.extra), max(s.extra)) : "\n"));
        System.out.println();
        System.out.println(rounds + " rounds; ratio = Ibex / reference; in brackets the ratios of the single rounds.");
        System.out.println(out);
    }

    private static List<Pair> gemmPairs() {
        List<Pair> pairs = new ArrayList<>();
        for (String threads : THREADS) {
            for (String shape : SHAPES) {
                for (String layout : LAYOUTS) {
                    Map<String, String> p = Map.of("shape", shape, "layout", layout, "threads", threads);
                    pairs.add(new Pair(shape + ", " + layout + ", " + threads, bench(MatmulBenchmark.class, "ibex"), p,
                            bench(MatmulBenchmark.class, "openblas"), p, "gflop"));
                }
            }
        }
        return pairs;
    }

    private static List<Pair> gemvPairs() {
        List<Pair> pairs = new ArrayList<>();
        for (String threads : THREADS) {
            for (String dtype : DTYPES) {
                pairs.add(gemvPair(STREAMED.replace("x", "×") + " " + dtype, STREAMED, dtype, threads));
            }
        }
        // The quantized kernels' ceiling: the same product on a weight that stays in the L3 cache. A kernel that
        // streams from DRAM cannot run faster than this, so a ratio below a target here shows the target is out of
        // reach of the kernel's arithmetic, however well it overlaps with memory.
        for (String threads : THREADS) {
            for (String dtype : new String[] {"INT8", "NF4"}) {
                pairs.add(gemvPair("ceiling: " + CACHED.replace("x", "×") + " " + dtype + " in L3", CACHED, dtype,
                        threads));
            }
        }
        return pairs;
    }

    /** The decode GEMV on a {@code shape} weight against the DRAM read bandwidth at the same thread count. */
    private static Pair gemvPair(String label, String shape, String dtype, String threads) {
        return new Pair(label + ", " + threads, bench(GemvBenchmark.class, "gemv"),
                Map.of("dtype", dtype, "threads", threads, "shape", shape),
                bench(MemoryBandwidthBenchmark.class, "read"), Map.of("threads", threads), "gbytes");
    }

    private static List<Pair> decodePairs() {
        List<Pair> pairs = new ArrayList<>();
        for (String weights : new String[] {"bf16", "int8", "nf4"}) {
            pairs.add(new Pair("decode, " + weights + ": weight GB/s vs DRAM", bench(DecodeBenchmark.class, "decode"),
                    Map.of("weights", weights, "threads", "2"), bench(MemoryBandwidthBenchmark.class, "read"),
                    Map.of("threads", "2"), "gbytes", "tokens"));
        }
        for (String weights : new String[] {"bf16", "int8", "nf4"}) {
            pairs.add(new Pair("prefill 128, " + weights + ": GFLOP/s vs OpenBLAS 128×2048×5632",
                    bench(DecodeBenchmark.class, "prefill"), Map.of("weights", weights, "threads", "2"),
                    bench(MatmulBenchmark.class, "openblas"),
                    Map.of("shape", "128x2048x5632", "layout", "linear", "threads", "2"), "gflop", "tokens"));
        }
        return pairs;
    }

    private static String bench(Class<?> type, String method) {
        return "^" + type.getName().replace(".", "\\.") + "\\." + method + "$";
    }

    private static RunResult run(CommandLineOptions jmh, String include, Map<String, String> params)
            throws RunnerException {
        OptionsBuilder options = new OptionsBuilder();
        options.parent(jmh);
        options.include(include);
        // Shorter than the annotations' defaults, as each pair runs once per round; JMH options still win.
        if (!jmh.getWarmupIterations().hasValue()) {
            options.warmupIterations(2);
        }
        if (!jmh.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(1));
        }
        if (!jmh.getMeasurementIterations().hasValue()) {
            options.measurementIterations(4);
        }
        if (!jmh.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(1));
        }
        params.forEach(options::param);
        return new Runner(options.build()).runSingle();
    }

    /** Every measured iteration's score of a secondary result, over all forks. */
    private static List<Double> iterations(RunResult r, String counter) {
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult i : b.getIterationResults()) {
                scores.add(i.getSecondaryResults().get(counter).getScore());
            }
        }
        return scores;
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double median(List<Double> v) {
        double[] sorted = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String range(List<Double> v) {
        return String.join(", ", v.stream().map(d -> String.format(Locale.ROOT, "%.2f", d)).toList());
    }
}
