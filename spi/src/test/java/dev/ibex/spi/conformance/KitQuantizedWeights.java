package dev.ibex.spi.conformance;

import dev.ibex.spi.quant.Blockwise4Bit;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.RowwiseInt8;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Quantized weights in the SPI's well-known layouts built by the kit itself, from random codes and scales, so the
 * quantized conformance cases need no quantizer plugin. Each dequantizes and multiplies exactly as its layout's
 * javadoc says; a backend's fused kernels are compared with these reference products.
 */
final class KitQuantizedWeights {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private KitQuantizedWeights() {
    }

    /**
     * A {@link Blockwise4Bit} weight with random packed codes, a random sorted code table (not NF4's: a kernel must
     * use the table it is given), and random block scales, plain or double-quantized.
     */
    static final class Blockwise implements QuantizedTensor {
        private final Shape shape;
        private final Blockwise4Bit layout;

        Blockwise(int rows, int cols, int blockSize, boolean doubleQuant, SplittableRandom random, Arena arena) {
            this.shape = Shape.of(rows, cols);
            long n = (long) rows * cols;
            long blocks = Math.ceilDiv(n, blockSize);
            MemorySegment packed = arena.allocate(Math.ceilDiv(n, 2), 64);
            for (long i = 0; i < packed.byteSize(); i++) {
                packed.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
            }
            float[] codebook = sortedUniform(16, random);
            MemorySegment absmax;
            float[] nestedCodebook = null;
            MemorySegment nestedAbsmax = null;
            int nestedBlockSize = 0;
            float offset = 0f;
            if (doubleQuant) {
                absmax = arena.allocate(blocks, 64);
                for (long b = 0; b < blocks; b++) {
                    absmax.set(ValueLayout.JAVA_BYTE, b, (byte) random.nextInt(256));
                }
                nestedCodebook = sortedUniform(256, random);
                nestedBlockSize = 16; // small, so that a few blocks already span several nested blocks
                nestedAbsmax = floats(arena, (int) Math.ceilDiv(blocks, nestedBlockSize), 0.01, 0.05, random);
                offset = (float) (0.02 + 0.03 * random.nextDouble());
            } else {
                absmax = floats(arena, (int) blocks, 0.0, 0.1, random);
                absmax.setAtIndex(F32, blocks / 2, 0f); // an all-zero block
            }
            this.layout = new Blockwise4Bit(packed, codebook, blockSize, absmax, doubleQuant, nestedCodebook,
                    nestedAbsmax, nestedBlockSize, offset, rows, cols);
        }

        @Override
        public String format() {
            return "kit-blockwise-4bit";
        }

        @Override
        public Shape shape() {
            return shape;
        }

        @Override
        public long storageBytes() {
            return layout.packed().byteSize() + layout.absmax().byteSize()
                    + (layout.nestedAbsmax() == null ? 0 : layout.nestedAbsmax().byteSize());
        }

        @Override
        public Map<String, HostTensor> parts() {
            return Map.of("weight", HostTensor.view(DType.U8, Shape.of(layout.packed().byteSize()), layout.packed()));
        }

        /** Element {@code i}: {@code codebook[nibble i] · absmax(i / blockSize)}, even elements in high nibbles. */
        @Override
        public void dequantizeRows(int row, int count, float[] dst) {
            long cols = shape.dim(1);
            for (int i = 0; i < count * cols; i++) {
                long e = row * cols + i;
                int b = layout.packed().get(ValueLayout.JAVA_BYTE, e / 2);
                int code = e % 2 == 0 ? (b >> 4) & 15 : b & 15;
                dst[i] = layout.codebook()[code] * layout.absmaxOf(e / layout.blockSize());
            }
        }

        @Override
        public <L> Optional<L> layout(Class<L> type) {
            return type == Blockwise4Bit.class ? Optional.of(type.cast(layout)) : Optional.empty();
        }

        @Override
        public void close() {
        }
    }

    /**
     * A {@link RowwiseInt8} weight with random codes in [-127, 127] and row scales, one row all zero (scale 0),
     * multiplied with LLM.int8's decomposition as the layout's javadoc defines it.
     */
    static final class Rowwise implements QuantizedTensor {
        private final Shape shape;
        private final RowwiseInt8 layout;

        Rowwise(int rows, int cols, float threshold, SplittableRandom random, Arena arena) {
            this.shape = Shape.of(rows, cols);
            MemorySegment codes = arena.allocate((long) rows * cols, 64);
            for (long i = 0; i < codes.byteSize(); i++) {
                codes.set(ValueLayout.JAVA_BYTE, i, (byte) (random.nextInt(255) - 127));
            }
            MemorySegment scales = floats(arena, rows, 0.01, 0.2, random);
            int zero = rows / 2;
            codes.asSlice((long) zero * cols, cols).fill((byte) 0);
            scales.setAtIndex(F32, zero, 0f);
            this.layout = new RowwiseInt8(codes, scales, threshold, rows, cols);
        }

        @Override
        public String format() {
            return "kit-rowwise-int8";
        }

        @Override
        public Shape shape() {
            return shape;
        }

        @Override
        public long storageBytes() {
            return layout.codes().byteSize() + layout.rowScales().byteSize();
        }

        @Override
        public Map<String, HostTensor> parts() {
            return Map.of("weight", HostTensor.view(DType.I8, shape, layout.codes()),
                    "SCB", HostTensor.view(DType.F32, Shape.of(shape.dim(0)), layout.rowScales()));
        }

        /** Ŵ = CB·SCB/127: the product, then the division, in float32. */
        @Override
        public void dequantizeRows(int row, int count, float[] dst) {
            int cols = shape.intDim(1);
            for (int r = 0; r < count; r++) {
                float scb = layout.rowScales().getAtIndex(F32, row + r);
                for (int c = 0; c < cols; c++) {
                    dst[r * cols + c] = layout.codes().get(ValueLayout.JAVA_BYTE, (long) (row + r) * cols + c) * scb / 127f;
                }
            }
        }

        /** The layout's three steps, the integer sum exact in a long. */
        @Override
        public void referenceLinear(float[] x, int m, float[] y, boolean accumulate) {
            int n = shape.intDim(0);
            int k = shape.intDim(1);
            boolean[] outlier = outliers(x, m);
            float[] row = new float[k];
            for (int i = 0; i < m; i++) {
                float s = rowScale(x, i, k);
                int[] q = codes(x, i, k, s, outlier);
                for (int j = 0; j < n; j++) {
                    dequantizeRows(j, 1, row);
                    long dot = 0;
                    double outliers = 0;
                    for (int c = 0; c < k; c++) {
                        if (outlier[c]) {
                            outliers += (double) x[i * k + c] * row[c];
                        } else {
                            dot += (long) q[c] * layout.codes().get(ValueLayout.JAVA_BYTE, (long) j * k + c);
                        }
                    }
                    double v = dot * (double) s * layout.rowScales().getAtIndex(F32, j) / (127.0 * 127.0) + outliers;
                    y[i * n + j] = (float) (accumulate ? y[i * n + j] + v : v);
                }
            }
        }

        /** What the product multiplies Ŵ by: outlier columns as given, the others as {@code q·s/127}. */
        float[] effectiveInput(float[] x, int m) {
            int k = shape.intDim(1);
            boolean[] outlier = outliers(x, m);
            float[] out = new float[m * k];
            for (int i = 0; i < m; i++) {
                float s = rowScale(x, i, k);
                int[] q = codes(x, i, k, s, outlier);
                for (int c = 0; c < k; c++) {
                    out[i * k + c] = outlier[c] ? x[i * k + c] : (float) (q[c] * (double) s / 127);
                }
            }
            return out;
        }

        /** Columns where any row has {@code |x| ≥ threshold}; none for threshold 0. */
        boolean[] outliers(float[] x, int m) {
            int k = shape.intDim(1);
            boolean[] outlier = new boolean[k];
            for (int i = 0; layout.threshold() > 0 && i < m * k; i++) {
                outlier[i % k] |= Math.abs(x[i]) >= layout.threshold();
            }
            return outlier;
        }

        private float rowScale(float[] x, int i, int k) {
            float s = 0f;
            for (int c = 0; c < k; c++) {
                float a = Math.abs(x[i * k + c]);
                if (layout.threshold() <= 0 || a < layout.threshold()) {
                    s = Math.max(s, a);
                }
            }
            return s;
        }

        private static int[] codes(float[] x, int i, int k, float s, boolean[] outlier) {
            int[] q = new int[k];
            if (s == 0f) {
                return q;
            }
            float factor = 127f / s;
            for (int c = 0; c < k; c++) {
                q[c] = outlier[c] ? 0 : (int) Math.rint(x[i * k + c] * factor);
            }
            return q;
        }

        @Override
        public <L> Optional<L> layout(Class<L> type) {
            return type == RowwiseInt8.class ? Optional.of(type.cast(layout)) : Optional.empty();
        }

        @Override
        public void close() {
        }
    }

    private static float[] sortedUniform(int n, SplittableRandom random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        Arrays.sort(v);
        return v;
    }

    private static MemorySegment floats(Arena arena, int n, double from, double to, SplittableRandom random) {
        MemorySegment s = arena.allocate(4L * Math.max(1, n), 64);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(F32, i, (float) (from + (to - from) * random.nextDouble()));
        }
        return s;
    }
}
