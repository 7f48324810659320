package dev.ibex.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Quantized weights without a fused kernel take the reference product, and the backend says so once per format. */
class CpuMatmulFallbackLogTest {

    @Test
    void fallbackComputesAndIsReportedOncePerFormat() {
        try (CpuBackend backend = new CpuBackend(2)) {
            QuantTensor w = backend.upload(new Halves("log-test-halves"));
            Tensor x = backend.fromFloats(Shape.of(1, 3), new float[] {1, 2, 3});
            Tensor y = backend.allocate(DType.F32, Shape.of(1, 2));
            backend.linear(x, w, null, y, false);
            backend.linear(x, w, null, y, true);
            // Every weight is ½: each call adds ½·(1 + 2 + 3) = 3.
            assertEquals(6f, backend.toFloats(y)[0]);
            assertEquals(6f, backend.toFloats(y)[1]);
        }
        assertFalse(CpuMatmul.reportFallback(new Halves("log-test-halves")), "already reported by the products above");
        assertTrue(CpuMatmul.reportFallback(new Halves("log-test-other")), "another format is reported on its own");
        assertFalse(CpuMatmul.reportFallback(new Halves("log-test-other")));
    }

    /** A 2 × 3 weight of halves, in a format no backend knows. */
    private record Halves(String format) implements QuantizedTensor {
        @Override
        public Shape shape() {
            return Shape.of(2, 3);
        }

        @Override
        public long storageBytes() {
            return 6;
        }

        @Override
        public Map<String, HostTensor> parts() {
            return Map.of();
        }

        @Override
        public void dequantizeRows(int row, int count, float[] dst) {
            Arrays.fill(dst, 0, count * 3, 0.5f);
        }

        @Override
        public void close() {
        }
    }
}
