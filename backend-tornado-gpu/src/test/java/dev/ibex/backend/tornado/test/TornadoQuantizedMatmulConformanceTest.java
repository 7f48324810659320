package dev.ibex.backend.tornado.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.conformance.QuantizedMatmulConformance;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The tornado backend's NF4/FP4 and LLM.int8 device kernels against the kit's reference products. The kit's weights
 * are in the well-known layouts, so none of them may take the host fallback: the backend under test sees every
 * quantized weight through a {@link Watched} wrapper that records which formats had their host-side products
 * (reference product or row dequantization) called, and a weight of a format of this test's own checks that the
 * wrapper does see a fallback.
 */
class TornadoQuantizedMatmulConformanceTest extends QuantizedMatmulConformance {
    private static final String HOST_ONLY = "tornado-test-host-only";
    private final Set<String> hostProducts = ConcurrentHashMap.newKeySet();

    /** The tornado backend, with every quantized weight it is given wrapped in a {@link Watched}. */
    @Override
    protected Backend backendUnderTest() {
        Backend tornado = TornadoTestBackend.create();
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("upload") && args[0] instanceof QuantizedTensor q) {
                        args = new Object[] {new Watched(q, hostProducts)};
                    }
                    try {
                        return method.invoke(tornado, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A weight of a format without device kernels is multiplied on the host, and the wrapper notices. */
    @Test
    void aFormatWithoutDeviceKernelsTakesTheHostFallback() {
        float[] dense = {1f, -2f, 0.5f, 3f, 0f, -1f};
        try (AllocationScope scope = backend.openScope()) {
            Tensor w = backend.upload(new HostOnly(dense));
            Tensor x = backend.fromFloats(Shape.of(1, 3), new float[] {1f, 2f, 3f});
            Tensor y = backend.allocate(DType.F32, Shape.of(1, 2));
            backend.linear(x, w, null, y, false);
            assertArrayEquals(new float[] {-1.5f, 0f}, backend.toFloats(y));
        }
        assertTrue(hostProducts.contains(HOST_ONLY), hostProducts::toString);
    }

    @AfterAll
    void noKnownLayoutTookTheHostFallback() {
        assertEquals(Set.of(HOST_ONLY), hostProducts);
    }

    /** A quantized weight that records its format when its host-side products are used. */
    private record Watched(QuantizedTensor weight, Set<String> hostProducts) implements QuantizedTensor {
        @Override
        public String format() {
            return weight.format();
        }

        @Override
        public Shape shape() {
            return weight.shape();
        }

        @Override
        public Map<String, HostTensor> parts() {
            return weight.parts();
        }

        @Override
        public void dequantizeRows(int row, int count, float[] dst) {
            hostProducts.add(weight.format());
            weight.dequantizeRows(row, count, dst);
        }

        @Override
        public void referenceLinear(float[] x, int m, float[] y, boolean accumulate) {
            hostProducts.add(weight.format());
            weight.referenceLinear(x, m, y, accumulate);
        }

        @Override
        public void referenceLinearBackwardInput(float[] dy, int m, float[] dx) {
            hostProducts.add(weight.format());
            weight.referenceLinearBackwardInput(dy, m, dx);
        }

        @Override
        public <L> Optional<L> layout(Class<L> type) {
            return weight.layout(type);
        }

        @Override
        public void close() {
            weight.close();
        }
    }

    /** Two rows of three plain floats, in a format of this test's own. */
    private record HostOnly(float[] values) implements QuantizedTensor {
        @Override
        public String format() {
            return HOST_ONLY;
        }

        @Override
        public Shape shape() {
            return Shape.of(2, 3);
        }

        @Override
        public Map<String, HostTensor> parts() {
            return Map.of();
        }

        @Override
        public void dequantizeRows(int row, int count, float[] dst) {
            System.arraycopy(values, row * 3, dst, 0, count * 3);
        }

        @Override
        public void close() {
        }
    }
}
