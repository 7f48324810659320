package dev.ibex.api.data;

import dev.ibex.spi.Options;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.spi.IbexException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads dataset files by format name. Records are streamed; each malformed one is either skipped, counted and
 * summarised in one warning line per kind of problem ({@code on_error: skip}, the default), or fatal
 * ({@code on_error: fail}) with its file and line. A file with no usable record is an error.
 *
 * <p>Formats: {@code alpaca} (also Dolly-15k's fields), {@code guanaco} (OASST {@code text}), {@code chatml} with
 * aliases {@code messages}, {@code chat_template}, {@code sharegpt} (messages or ShareGPT conversations),
 * {@code tokenized} (input_ids / labels / attention_mask), {@code completion} (raw {@code text} for pretraining).
 */
public final class Datasets {
    private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);
    private static final String ON_ERROR = "on_error";

    /** A format: the options it takes besides {@code on_error}, and how to make its reader from them. */
    private record Format(Set<String> options, Function<Options, RecordReader> reader) {
    }

    private static final Format MESSAGES = new Format(Set.of("field_messages", "message_property_mappings"), o -> {
        Map<String, String> mapping = o.stringMap("message_property_mappings", Set.of("role", "content"));
        return new MessageRecords(o.string("field_messages"), mapping.get("role"), mapping.get("content"));
    });

    private static final Map<String, Format> FORMATS = formats();

    private static Map<String, Format> formats() {
        Map<String, Format> f = new LinkedHashMap<>();
        f.put("alpaca", new Format(Set.of(), o -> new AlpacaRecords()));
        f.put("guanaco", new Format(Set.of(), o -> new GuanacoRecords()));
        for (String alias : List.of("chatml", "messages", "chat_template", "sharegpt")) {
            f.put(alias, MESSAGES);
        }
        f.put("tokenized", new Format(Set.of(), o -> new TokenizedRecords()));
        f.put("completion", new Format(Set.of("field"), o -> new CompletionRecords(o.string("field"))));
        return Map.copyOf(f);
    }

    private Datasets() {
    }

    /** The format names {@link DatasetSpec#type()} may take, sorted. */
    public static List<String> types() {
        return List.copyOf(new TreeSet<>(FORMATS.keySet()));
    }

    /** The option keys format {@code type} accepts ({@code on_error} included), or empty for an unknown type. */
    public static Set<String> options(String type) {
        Format format = FORMATS.get(type.toLowerCase(Locale.ROOT));
        if (format == null) {
            return Set.of();
        }
        Set<String> valid = new TreeSet<>(format.options());
        valid.add(ON_ERROR);
        return Set.copyOf(valid);
    }

    /**
     * Reads a dataset file.
     *
     * @throws IbexException for an unknown type or option, a missing or unreadable file, a syntax error inside a
     *                       JSON array, the first bad record with {@code on_error: fail}, or no usable record
     */
    public static Dataset load(DatasetSpec spec) {
        Format format = FORMATS.get(spec.type().toLowerCase(Locale.ROOT));
        if (format == null) {
            throw new IbexException("dataset " + spec.path() + ": unknown type \"" + spec.type() + "\"; known types: "
                    + String.join(", ", types()));
        }
        Set<String> valid = new TreeSet<>(format.options());
        valid.add(ON_ERROR);
        Options options = Options.of("dataset " + spec.path() + " (type " + spec.type() + ")", spec.options(), valid);
        boolean fail = options.choice(ON_ERROR, "skip", List.of("skip", "fail")).equals("fail");
        Collector collector = new Collector(spec, format.reader().apply(options), fail);
        RecordSource.read(spec.path(), collector);

        LoadReport report = new LoadReport(spec.path(), collector.examples.size(), collector.skipped);
        report.summary().forEach(LOG::warn);
        if (collector.examples.isEmpty()) {
            throw new IbexException(spec.path() + ": no usable records" + (report.skippedCount() == 0
                    ? " (the file holds none)" : "; " + String.join("; ", report.summary())));
        }
        LOG.info("{}: {} examples ({} skipped)", spec.path(), report.kept(), report.skippedCount());
        return new Dataset(spec, collector.examples, report);
    }

    /** Turns the file's values into examples and problems. */
    private static final class Collector implements RecordSource.Sink {
        private final DatasetSpec spec;
        private final RecordReader reader;
        private final boolean failOnError;
        private final List<Example> examples = new ArrayList<>();
        private final Map<ProblemKind, LoadReport.Skipped> skipped = new EnumMap<>(ProblemKind.class);

        Collector(DatasetSpec spec, RecordReader reader, boolean failOnError) {
            this.spec = spec;
            this.reader = reader;
            this.failOnError = failOnError;
        }

        @Override
        public void value(int line, JsonNode value) {
            if (!value.isObject()) {
                problem(line, ProblemKind.NOT_AN_OBJECT, "expected a JSON object, found " + Fields.type(value));
                return;
            }
            try {
                examples.add(reader.read(value, spec.path() + ":" + line));
            } catch (RecordProblem p) {
                problem(line, p.kind(), p.getMessage());
            }
        }

        @Override
        public void invalidJson(int line, String message) {
            problem(line, ProblemKind.INVALID_JSON, message);
        }

        private void problem(int line, ProblemKind kind, String message) {
            if (failOnError) {
                throw new IbexException(spec.path() + ":" + line + ": " + message
                        + " (on_error: fail; use on_error: skip to skip such records)");
            }
            skipped.merge(kind, new LoadReport.Skipped(1, line, message),
                    (old, one) -> new LoadReport.Skipped(old.count() + 1, old.firstLine(), old.firstMessage()));
        }
    }
}
