package dev.ibex.api.model;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.nn.LoraLinear;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges LoRA adapters into their base weights as PEFT's {@code merge_and_unload} does,
 * {@code W' = W + (B·A)·scaling}, computed in F32 and stored in the base weight's dtype, and writes the result as
 * a Hugging Face model folder that transformers and Ibex both load.
 */
public final class Merger {
    private Merger() {
    }

    /** Writes {@code model}'s checkpoint with every adapter merged into {@code out}. */
    public static void merge(Model model, Path out) {
        if (model.adapters().isEmpty()) {
            throw new IbexException("nothing to merge: the model has no LoRA adapter (give --adapter)");
        }
        Map<String, HostTensor> weights = new LinkedHashMap<>(model.hostWeights());
        List<HostTensor> owned = new ArrayList<>();
        try {
            for (var e : model.adapters().entrySet()) {
                String name = e.getKey() + ".weight";
                HostTensor base = model.hostWeights().get(name);
                if (base == null) {
                    throw new IbexException("cannot merge into " + name + ": the checkpoint does not hold it");
                }
                HostTensor merged = mergeOne(model, base, e.getValue());
                owned.add(merged);
                weights.put(name, merged);
            }
            ModelWriter.write(out, model.folder(), weights);
        } finally {
            owned.forEach(HostTensor::close);
        }
    }

    private static HostTensor mergeOne(Model model, HostTensor base, LoraLinear lora) {
        int rows = base.shape().intDim(0);
        int cols = base.shape().intDim(1);
        int r = lora.rank();
        float[] a = model.backend().toFloats(lora.a().value());
        float[] b = model.backend().toFloats(lora.b().value());
        float scaling = lora.scaling();
        HostTensor out = HostTensor.allocate(model.allocator(), base.dtype().isDenseFloat() ? base.dtype() : DType.F32,
                base.shape());
        float[] row = new float[cols];
        float[] delta = new float[cols];
        for (int o = 0; o < rows; o++) {
            base.readFloats((long) o * cols, row, 0, cols);
            java.util.Arrays.fill(delta, 0f);
            for (int k = 0; k < r; k++) {
                float bk = b[o * r + k];
                int aRow = k * cols;
                for (int i = 0; i < cols; i++) {
                    delta[i] += bk * a[aRow + i];
                }
            }
            for (int i = 0; i < cols; i++) {
                out.setFloat((long) o * cols + i, row[i] + delta[i] * scaling);
            }
        }
        return out;
    }
}
