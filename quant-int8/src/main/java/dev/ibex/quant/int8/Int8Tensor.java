package dev.ibex.quant.int8;

import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.RowwiseInt8;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An LLM.int8 weight: int8 codes {@code CB [out, in]} (saved as {@code weight}) and the row absmax {@code SCB [out]},
 * held as the tensors bitsandbytes serializes, plus the outlier threshold its product uses (which transformers
 * keeps in {@code config.json}, not with the weight).
 */
final class Int8Tensor implements QuantizedTensor {
    static final String WEIGHT = "weight";
    static final String SCB = "SCB";
    static final String WEIGHT_FORMAT = "weight_format";

    private final Shape shape;
    private final float threshold;
    private final Map<String, HostTensor> parts;
    private final List<HostTensor> owned;
    private final MemorySegment codes;
    private final MemorySegment scales;

    Int8Tensor(Shape shape, float threshold, Map<String, HostTensor> parts, List<HostTensor> owned) {
        this.shape = shape;
        this.threshold = threshold;
        this.parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        this.owned = List.copyOf(owned);
        this.codes = parts.get(WEIGHT).data();
        this.scales = parts.get(SCB).data();
    }

    @Override
    public String format() {
        return "int8";
    }

    @Override
    public Shape shape() {
        return shape;
    }

    float threshold() {
        return threshold;
    }

    @Override
    public Map<String, HostTensor> parts() {
        return parts;
    }

    /** Ŵ = CB·SCB/127, in float32 as the layout defines it. */
    @Override
    public void dequantizeRows(int row, int count, float[] dst) {
        int cols = shape.intDim(1);
        for (int r = 0; r < count; r++) {
            float scale = scales.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, row + r);
            long base = (long) (row + r) * cols;
            for (int c = 0; c < cols; c++) {
                dst[r * cols + c] = codes.get(ValueLayout.JAVA_BYTE, base + c) * scale / 127f;
            }
        }
    }

    /** LLM.int8's mixed-precision product (see {@link LlmInt8}), accumulated exactly in integers. */
    @Override
    public void referenceLinear(float[] x, int m, float[] y, boolean accumulate) {
        int n = shape.intDim(0);
        int k = shape.intDim(1);
        LlmInt8.Input in = LlmInt8.quantizeInput(x, m, k, threshold);
        float[] row = new float[k];
        for (int j = 0; j < n; j++) {
            dequantizeRows(j, 1, row);
            float scb = scales.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j);
            long base = (long) j * k;
            for (int i = 0; i < m; i++) {
                long dot = 0;
                double outliers = 0;
                for (int c = 0; c < k; c++) {
                    if (in.outlier()[c]) {
                        outliers += (double) x[i * k + c] * row[c];
                    } else {
                        dot += in.codes()[i * k + c] * codes.get(ValueLayout.JAVA_BYTE, base + c);
                    }
                }
                double v = dot * (double) in.scales()[i] * scb / (127.0 * 127.0) + outliers;
                y[i * n + j] = (float) (accumulate ? y[i * n + j] + v : v);
            }
        }
    }

    @Override
    public <L> Optional<L> layout(Class<L> type) {
        if (type != RowwiseInt8.class) {
            return Optional.empty();
        }
        return Optional.of(type.cast(new RowwiseInt8(codes, scales, threshold, shape.dim(0), shape.dim(1))));
    }

    @Override
    public void close() {
        owned.forEach(HostTensor::close);
    }

    @Override
    public String toString() {
        return "Int8Tensor[" + shape + ", threshold " + threshold + "]";
    }
}
