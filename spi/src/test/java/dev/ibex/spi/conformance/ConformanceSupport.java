package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * The base of every conformance test: the backend under test next to the {@link ReferenceBackend}, seeded random
 * inputs uploaded to both, and closeness checks with failure messages that locate the worst element.
 *
 * <p>A backend's test class extends a {@code *Conformance} class and implements {@link #backendUnderTest()}; the
 * kit creates the backend once per test class and closes it after the last test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceSupport {
    /** The relative tolerance of F32 kernels against the double-accumulating reference. */
    protected static final double RTOL = 1e-5;

    /** The backend under test (created by {@link #backendUnderTest()}). */
    protected Backend backend;
    /** The scalar reference every result is compared with. */
    protected final ReferenceBackend reference = new ReferenceBackend();
    /** Reseeded before each test, so a failure reproduces alone. */
    protected SplittableRandom random;
    /** Keeps uploaded host bytes alive: a host-memory backend may keep views of them. */
    private Arena hostArena;

    /** Creates the backend to test; called once per test class, closed after its last test. */
    protected abstract Backend backendUnderTest();

    @BeforeAll
    final void openBackend() {
        backend = backendUnderTest();
        hostArena = Arena.ofShared();
    }

    @AfterAll
    final void closeBackend() {
        backend.close();
        hostArena.close();
    }

    @BeforeEach
    final void reseed() {
        random = new SplittableRandom(0x1BE7_C0DEL);
    }

    /** The same tensor on the reference and on the backend under test. */
    public record Pair(Tensor ref, Tensor dut) {
    }

    // ---------------------------------------------------------------- inputs

    /** Uniform values in {@code [-amplitude, amplitude)}. */
    protected float[] uniform(int n, double amplitude) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * amplitude);
        }
        return v;
    }

    /** Standard normal values times {@code sigma}. */
    protected float[] normal(int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (sigma * random.nextGaussian());
        }
        return v;
    }

    /** An F32 tensor of {@code values} on both backends. */
    protected Pair f32(Shape shape, float[] values) {
        return new Pair(reference.fromFloats(shape, values), backend.fromFloats(shape, values));
    }

    /** A random normal F32 tensor on both backends. */
    protected Pair randomF32(Shape shape, double sigma) {
        return f32(shape, normal(Math.toIntExact(shape.numel()), sigma));
    }

    /** A zero F32 tensor on both backends. */
    protected Pair zeros(Shape shape) {
        return new Pair(reference.allocate(DType.F32, shape), backend.allocate(DType.F32, shape));
    }

    /** An I32 tensor on both backends. */
    protected Pair i32(Shape shape, int[] values) {
        return new Pair(reference.fromInts(shape, values), backend.fromInts(shape, values));
    }

    /**
     * {@code values} rounded to {@code dtype} (F32, F16 or BF16) and uploaded to both backends as a weight would
     * be; the host bytes live until the test class ends.
     */
    protected Pair weight(DType dtype, Shape shape, float[] values) {
        HostTensor host = host(dtype, shape, values);
        return new Pair(reference.upload(host), backend.upload(host));
    }

    /** A host tensor in memory that outlives the test class's tensors. */
    protected HostTensor host(DType dtype, Shape shape, float[] values) {
        MemorySegment bytes = hostArena.allocate(Math.max(1, shape.numel() * dtype.byteSize()), 64)
                .asSlice(0, shape.numel() * dtype.byteSize());
        HostTensor host = HostTensor.view(dtype, shape, bytes);
        for (int i = 0; i < values.length; i++) {
            host.setFloat(i, values[i]);
        }
        return host;
    }

    /** An I32 host tensor in memory that outlives the test class's tensors. */
    protected HostTensor hostInts(Shape shape, int[] values) {
        MemorySegment bytes = hostArena.allocate(Math.max(1, values.length * 4L), 64).asSlice(0, values.length * 4L);
        MemorySegment.copy(values, 0, bytes, ValueLayout.JAVA_INT_UNALIGNED, 0, values.length);
        return HostTensor.view(DType.I32, shape, bytes);
    }

    /** {@code values} as they read back after rounding to {@code dtype}. */
    protected static float[] rounded(DType dtype, float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = switch (dtype) {
                case F32 -> values[i];
                case F16 -> DType.f16ToFloat(DType.floatToF16(values[i]));
                case BF16 -> DType.bf16ToFloat(DType.floatToBf16(values[i]));
                default -> throw new IllegalArgumentException(dtype.toString());
            };
        }
        return out;
    }

    // ---------------------------------------------------------------- checks

    /** Asserts the two sides of {@code p} hold close values (see {@link #assertClose}). */
    protected void assertMatches(Pair p, double atol, double rtol, String what) {
        assertClose(reference.toFloats(p.ref()), backend.toFloats(p.dut()), atol, rtol, what);
    }

    /**
     * Like {@link #assertMatches} with {@code atol = rtol·max|expected|}: for sums over many rows (weight and bias
     * gradients, scatter-adds), whose elements can cancel to values far smaller than the terms summed, so F32
     * summation error is relative to the terms, not to the result.
     */
    protected void assertMatchesScaled(Pair p, double rtol, String what) {
        float[] expected = reference.toFloats(p.ref());
        assertClose(expected, backend.toFloats(p.dut()), rtol * maxAbs(expected, 1), rtol, what);
    }

    /**
     * Asserts {@code |expected[i] − actual[i]| ≤ atol + rtol·|expected[i]|} for every i (infinities must match
     * exactly, NaN only NaN). The failure message names the first failing index, its values, the number of
     * failures and the largest absolute error.
     */
    public static void assertClose(float[] expected, float[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        int failures = 0;
        int first = -1;
        double maxErr = 0;
        int maxAt = -1;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok;
            double err;
            if (Double.isNaN(e) || Double.isNaN(a) || Double.isInfinite(e) || Double.isInfinite(a)) {
                ok = Double.compare(e, a) == 0 || (Double.isNaN(e) && Double.isNaN(a));
                err = ok ? 0 : Double.POSITIVE_INFINITY;
            } else {
                err = Math.abs(e - a);
                ok = err <= atol + rtol * Math.abs(e);
            }
            if (err > maxErr || maxAt < 0) {
                maxErr = err;
                maxAt = i;
            }
            if (!ok) {
                failures++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (failures > 0) {
            fail(String.format(Locale.ROOT,
                    "%s: %d of %d values differ beyond atol %.1e + rtol %.1e; first at [%d]: expected %s, got %s;"
                            + " max |error| %.3e at [%d] (expected %s, got %s)",
                    what, failures, expected.length, atol, rtol, first, expected[first], actual[first], maxErr,
                    maxAt, expected[maxAt], actual[maxAt]));
        }
    }

    /** The largest {@code |v|}, at least {@code floor} (to scale absolute tolerances). */
    protected static double maxAbs(float[] v, double floor) {
        double m = floor;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }
}
