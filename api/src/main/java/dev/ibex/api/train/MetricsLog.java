package dev.ibex.api.train;

import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes every step to {@code metrics.jsonl} and {@code metrics.csv} in the output folder, flushed as it goes, so
 * a killed run keeps its history. A resumed run first drops the rows after the checkpoint it resumes from.
 */
public final class MetricsLog implements TrainingListener, AutoCloseable {
    public static final String JSONL = "metrics.jsonl";
    public static final String CSV = "metrics.csv";
    private static final String HEADER = "type,step,epoch,loss,learning_rate,grad_norm,tokens,tokens_per_second,elapsed_seconds,val_loss";

    private final BufferedWriter jsonl;
    private final BufferedWriter csv;
    private final List<double[]> validation = new ArrayList<>();

    /** Opens the logs in {@code dir}, keeping rows up to {@code fromStep} (0 = start fresh). */
    public MetricsLog(Path dir, int fromStep) {
        try {
            Files.createDirectories(dir);
            Path j = dir.resolve(JSONL);
            Path c = dir.resolve(CSV);
            List<String> keptJson = fromStep > 0 && Files.exists(j) ? keep(Files.readAllLines(j), fromStep, true) : List.of();
            List<String> keptCsv = fromStep > 0 && Files.exists(c) ? keep(Files.readAllLines(c), fromStep, false) : List.of();
            Files.write(j, keptJson, StandardCharsets.UTF_8);
            List<String> csvLines = new ArrayList<>();
            csvLines.add(HEADER);
            csvLines.addAll(keptCsv);
            Files.write(c, csvLines, StandardCharsets.UTF_8);
            jsonl = Files.newBufferedWriter(j, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            csv = Files.newBufferedWriter(c, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IbexException("cannot write metrics in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> keep(List<String> lines, int fromStep, boolean json) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("type,")) {
                continue;
            }
            int step = json ? Json.parse(line, JSONL).path("step").asInt() : Integer.parseInt(line.split(",")[1]);
            if (step <= fromStep) {
                out.add(line);
            }
        }
        return out;
    }

    @Override
    public void step(StepMetrics m) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("type", "train");
        row.put("step", m.step());
        row.put("epoch", m.epoch());
        row.put("loss", m.loss());
        row.put("learning_rate", m.learningRate());
        row.put("grad_norm", m.gradNorm());
        row.put("tokens", m.tokens());
        row.put("tokens_per_second", m.tokensPerSecond());
        row.put("elapsed_seconds", m.elapsedSeconds());
        write(row, String.format(Locale.ROOT, "train,%d,%.6f,%.8g,%.8g,%.6g,%d,%.2f,%.3f,", m.step(), m.epoch(), m.loss(),
                m.learningRate(), m.gradNorm(), m.tokens(), m.tokensPerSecond(), m.elapsedSeconds()));
    }

    @Override
    public void evaluated(int step, double loss) {
        validation.add(new double[] {step, loss});
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("type", "eval");
        row.put("step", step);
        row.put("val_loss", loss);
        write(row, String.format(Locale.ROOT, "eval,%d,,,,,,,,%.8g", step, loss));
    }

    /** Validation points seen by this log ({step, loss}). */
    public List<double[]> validation() {
        return validation;
    }

    private void write(Map<String, Object> json, String csvRow) {
        try {
            jsonl.write(Json.compact(json));
            jsonl.newLine();
            jsonl.flush();
            csv.write(csvRow);
            csv.newLine();
            csv.flush();
        } catch (IOException e) {
            throw new IbexException("cannot append to the metrics files: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            jsonl.close();
            csv.close();
        } catch (IOException e) {
            throw new IbexException("cannot close the metrics files: " + e.getMessage(), e);
        }
    }
}
