package dev.ibex.api.model;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.nn.LoraLinear;
import dev.ibex.spi.quant.QuantizedTensor;
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
 *
 * <p>A quantized base is never merged into in its quantized form (re-quantizing would lose the adapter's small
 * updates): when the checkpoint holds the dense weight (quantized at load, as QLoRA runs do), the merge goes into
 * that, as QLoRA users merge into the 16-bit base; when the checkpoint itself is quantized, every quantized weight
 * is dequantized into a dense copy in the model's {@code torch_dtype} (bf16 when unset), merged where adapted, and
 * the result is a dense model without {@code quantization_config}.
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
        Map<String, Object> configChanges = new LinkedHashMap<>();
        try {
            Map<String, Map<String, HostTensor>> stored = QuantizedCheckpoints.modules(model.hostWeights());
            for (var e : stored.entrySet()) {
                // The checkpoint is quantized: replace the module's parts with a dense copy.
                e.getValue().keySet().forEach(suffix -> weights.remove(e.getKey() + "." + suffix));
                QuantizedTensor q = model.quantizedWeights().get(e.getKey());
                if (q == null) {
                    throw new IbexException("cannot merge: " + e.getKey()
                            + " is stored quantized but the model did not load it");
                }
                HostTensor dense = dequantize(model, q);
                owned.add(dense);
                weights.put(e.getKey() + ".weight", dense);
                configChanges.put(BnbQuantizationConfig.KEY, null);
            }
            for (var e : model.adapters().entrySet()) {
                String name = e.getKey() + ".weight";
                HostTensor base = weights.get(name);
                if (base == null || !base.dtype().isDenseFloat()) {
                    throw new IbexException("cannot merge into " + name + ": the checkpoint does not hold it");
                }
                HostTensor merged = mergeOne(model, base, e.getValue());
                owned.add(merged);
                weights.put(name, merged);
            }
            ModelWriter.write(out, model.folder(), weights, configChanges);
        } finally {
            owned.forEach(HostTensor::close);
        }
    }

    /** A dense copy of a quantized weight, in the model's {@code torch_dtype} (bf16 when it has none). */
    private static HostTensor dequantize(Model model, QuantizedTensor q) {
        DType dtype = DType.fromUserName(model.folder().config().string("torch_dtype", "bfloat16"))
                .filter(DType::isDenseFloat).orElse(DType.BF16);
        int rows = q.shape().intDim(0);
        int cols = q.shape().intDim(1);
        HostTensor out = HostTensor.allocate(model.allocator(), dtype, q.shape());
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            q.dequantizeRows(r, 1, row);
            for (int c = 0; c < cols; c++) {
                out.setFloat((long) r * cols + c, row[c]);
            }
        }
        return out;
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
