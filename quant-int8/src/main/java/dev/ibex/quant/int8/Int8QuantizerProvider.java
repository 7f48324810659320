package dev.ibex.quant.int8;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.QuantizerProvider;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.arrow.memory.BufferAllocator;

/**
 * LLM.int8 ({@code load_in_8bit}, {@code llm_int8_threshold}) as bitsandbytes' {@code Linear8bitLt} quantizes,
 * multiplies and saves it.
 */
public final class Int8QuantizerProvider implements QuantizerProvider {
    /** transformers' {@code BitsAndBytesConfig.llm_int8_threshold} default, used when nothing else is asked for. */
    static final float DEFAULT_THRESHOLD = 6.0f;
    /** The largest F16 value: bitsandbytes quantizes weights after converting them to float16. */
    private static final float F16_MAX = 65504f;

    @Override
    public String name() {
        return "int8";
    }

    @Override
    public String description() {
        return "LLM.int8 weights (row-wise absmax int8, outlier features in floating point) for 8-bit LoRA";
    }

    @Override
    public Set<String> formats() {
        return Set.of("int8");
    }

    /**
     * Row-wise absmax codes of the weight after rounding it to float16, as {@code Int8Params} does before
     * {@code int8_vectorwise_quant} (values beyond float16's range are kept as they are rather than becoming
     * infinite).
     */
    @Override
    public QuantizedTensor quantize(HostTensor weight, QuantOptions options, BufferAllocator allocator) {
        if (weight.shape().rank() != 2 || !weight.dtype().isDenseFloat()) {
            throw new IbexException("only F32, F16 or BF16 matrices can be quantized to int8, not " + weight.dtype()
                    + " " + weight.shape());
        }
        int rows = weight.shape().intDim(0);
        int cols = weight.shape().intDim(1);
        List<HostTensor> owned = new ArrayList<>();
        try {
            HostTensor cb = own(owned, HostTensor.allocate(allocator, DType.I8, weight.shape()));
            float[] scb = new float[rows];
            MemorySegment codes = cb.data();
            IntStream.range(0, rows).parallel().forEach(r -> {
                float[] values = new float[cols];
                byte[] q = new byte[cols];
                weight.readFloats((long) r * cols, values, 0, cols);
                for (int c = 0; c < cols; c++) {
                    if (Math.abs(values[c]) <= F16_MAX) {
                        values[c] = Float.float16ToFloat(Float.floatToFloat16(values[c]));
                    }
                }
                scb[r] = LlmInt8.quantizeRow(values, 0, cols, q, 0);
                MemorySegment.copy(q, 0, codes, ValueLayout.JAVA_BYTE, (long) r * cols, cols);
            });
            Map<String, HostTensor> parts = new LinkedHashMap<>();
            parts.put(Int8Tensor.WEIGHT, cb);
            parts.put(Int8Tensor.SCB, own(owned, HostTensor.ofFloats(allocator, Shape.of(rows), scb)));
            parts.put(Int8Tensor.WEIGHT_FORMAT, own(owned, HostTensor.allocate(allocator, DType.U8, Shape.of())));
            return new Int8Tensor(weight.shape(), threshold(options), parts, owned);
        } catch (RuntimeException | Error e) {
            owned.forEach(HostTensor::close);
            throw e;
        }
    }

    @Override
    public QuantizedTensor load(Map<String, HostTensor> parts, BufferAllocator allocator) {
        return load(parts, null, allocator);
    }

    @Override
    public QuantizedTensor load(Map<String, HostTensor> parts, QuantOptions options, BufferAllocator allocator) {
        HostTensor scb = parts.get(Int8Tensor.SCB);
        if (scb == null) {
            return null;
        }
        HostTensor cb = parts.get(Int8Tensor.WEIGHT);
        if (cb == null || cb.dtype() != DType.I8 || cb.shape().rank() != 2) {
            throw new IbexException("int8 weight: \"weight\" must be an I8 matrix next to \"SCB\", got "
                    + (cb == null ? "nothing" : cb.dtype() + " " + cb.shape()));
        }
        if (scb.dtype() != DType.F32 || scb.numel() != cb.shape().dim(0)) {
            throw new IbexException("int8 weight: \"SCB\" must be F32 with one scale per row (" + cb.shape().dim(0)
                    + "), got " + scb.dtype() + " " + scb.shape());
        }
        Map<String, HostTensor> checked = new LinkedHashMap<>();
        checked.put(Int8Tensor.WEIGHT, cb);
        checked.put(Int8Tensor.SCB, scb);
        HostTensor format = parts.get(Int8Tensor.WEIGHT_FORMAT);
        if (format != null) {
            if (format.numel() != 1 || format.getLong(0) != 0) {
                Object value = format.numel() == 1 ? format.getLong(0) : format.shape();
                throw new IbexException("int8 weight: weight_format " + value
                        + " is not 0 (row-major), the only layout bitsandbytes still writes");
            }
            checked.put(Int8Tensor.WEIGHT_FORMAT, format);
        }
        return new Int8Tensor(cb.shape(), threshold(options), checked, List.of());
    }

    private static float threshold(QuantOptions options) {
        if (options == null || !options.format().equalsIgnoreCase("int8")) {
            return DEFAULT_THRESHOLD;
        }
        if (!(options.outlierThreshold() >= 0) || Float.isInfinite(options.outlierThreshold())) {
            throw new IbexException("llm_int8_threshold must be a finite number ≥ 0, not " + options.outlierThreshold());
        }
        return options.outlierThreshold();
    }

    private static HostTensor own(List<HostTensor> owned, HostTensor t) {
        owned.add(t);
        return t;
    }
}
