package dev.ibex.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.generate.Forward;
import dev.ibex.api.internal.Json;
import dev.ibex.api.io.SafetensorsWriter;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ibex forward}: the float32 logits of a batch of id lists, for exactness checks against references. */
@Command(name = "forward", description = "Write the float32 logits [batch, seq, vocab] of a JSON batch of id lists.")
final class ForwardCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--input-ids", required = true, paramLabel = "FILE.json",
            description = "JSON list of id lists ([[1,2,3],[4,5,6]]), or an object with \"input_ids\".")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Where to write the logits.")
    Path out;

    @Override
    public Integer call() {
        int[][] ids = readIds(input);
        try (Model m = ModelLoader.standard().load(model.model, model.loadOptions())) {
            float[] logits = Forward.logits(m, ids);
            Shape shape = Shape.of(ids.length, ids[0].length, m.info().vocabSize());
            try (RootAllocator allocator = new RootAllocator();
                 HostTensor t = HostTensor.ofFloats(allocator, shape, logits)) {
                SafetensorsWriter.write(out, Map.of("logits", t), Map.of("format", "pt"));
            }
        }
        return 0;
    }

    static int[][] readIds(Path file) {
        JsonNode root = Json.read(file);
        JsonNode list = root.isObject() ? root.get("input_ids") : root;
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IbexException(file + ": expected a JSON list of id lists, or {\"input_ids\": [[...]]}");
        }
        int[][] ids = new int[list.size()][];
        for (int i = 0; i < ids.length; i++) {
            JsonNode row = list.get(i);
            if (!row.isArray() || row.isEmpty()) {
                throw new IbexException(file + ": row " + i + " is not a non-empty list of ids");
            }
            ids[i] = new int[row.size()];
            for (int j = 0; j < ids[i].length; j++) {
                if (!row.get(j).canConvertToInt() || !row.get(j).isIntegralNumber()) {
                    throw new IbexException(file + ": row " + i + ", item " + j + " is not an integer id: " + row.get(j));
                }
                ids[i][j] = row.get(j).asInt();
            }
            if (ids[i].length != ids[0].length) {
                throw new IbexException(file + ": rows have different lengths (" + ids[0].length + " and "
                        + ids[i].length + "); pad them to one length");
            }
        }
        return ids;
    }
}
