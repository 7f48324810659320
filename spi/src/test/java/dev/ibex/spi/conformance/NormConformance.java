package dev.ibex.spi.conformance;

import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link dev.ibex.spi.backend.NormKernels} against the reference: RMSNorm and LayerNorm forward (output and saved
 * statistics, which may be skipped) and backward (each gradient optional, accumulated onto non-zero values), with
 * F32, F16 and BF16 weights, on row widths that leave every vector-tail length. Weight gradients sum over rows, so
 * their tolerance is relative to their largest element.
 */
public abstract class NormConformance extends ConformanceSupport {
    private static final int[][] SHAPES = {
            {1, 1}, {3, 3}, {2, 7}, {5, 13}, {4, 33}, {1, 65}, {3, 127}, {17, 256}, {300, 256}};

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void rmsNorm(DType weightType) {
        for (int[] s : SHAPES) {
            Shape shape = Shape.of(s[0], s[1]);
            String at = " " + shape + " " + weightType;
            // An offset mean checks the statistic does not assume centred rows.
            float[] xs = normal(s[0] * s[1], 2);
            for (int i = 0; i < xs.length; i++) {
                xs[i] += 0.5f;
            }
            Pair x = f32(shape, xs);
            Pair w = weight(weightType, Shape.of(s[1]), normal(s[1], 1));
            Pair y = zeros(shape);
            Pair rstd = zeros(Shape.of(s[0]));
            reference.rmsNorm(x.ref(), w.ref(), 1e-6f, y.ref(), rstd.ref());
            backend.rmsNorm(x.dut(), w.dut(), 1e-6f, y.dut(), rstd.dut());
            assertMatches(y, 1e-6, RTOL, "rmsNorm y" + at);
            assertMatches(rstd, 0, RTOL, "rmsNorm rstd" + at);

            Pair yNoStats = zeros(shape);
            backend.rmsNorm(x.dut(), w.dut(), 1e-6f, yNoStats.dut(), null);
            reference.rmsNorm(x.ref(), w.ref(), 1e-6f, yNoStats.ref(), null);
            assertMatches(yNoStats, 1e-6, RTOL, "rmsNorm without rstd" + at);

            Pair dy = randomF32(shape, 1);
            Pair dx = randomF32(shape, 1);
            Pair dw = randomF32(Shape.of(s[1]), 1);
            reference.rmsNormBackward(dy.ref(), x.ref(), w.ref(), rstd.ref(), dx.ref(), dw.ref());
            backend.rmsNormBackward(dy.dut(), x.dut(), w.dut(), rstd.dut(), dx.dut(), dw.dut());
            assertMatches(dx, 1e-5, RTOL, "rmsNorm dx" + at);
            assertMatchesScaled(dw, RTOL, "rmsNorm dweight" + at);
            reference.rmsNormBackward(dy.ref(), x.ref(), w.ref(), rstd.ref(), null, dw.ref());
            backend.rmsNormBackward(dy.dut(), x.dut(), w.dut(), rstd.dut(), null, dw.dut());
            assertMatchesScaled(dw, RTOL, "rmsNorm dweight only" + at);
            reference.rmsNormBackward(dy.ref(), x.ref(), w.ref(), rstd.ref(), dx.ref(), null);
            backend.rmsNormBackward(dy.dut(), x.dut(), w.dut(), rstd.dut(), dx.dut(), null);
            assertMatches(dx, 1e-5, RTOL, "rmsNorm dx only" + at);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void layerNorm(DType weightType) {
        for (int[] s : SHAPES) {
            Shape shape = Shape.of(s[0], s[1]);
            String at = " " + shape + " " + weightType;
            float[] xs = normal(s[0] * s[1], 2);
            for (int i = 0; i < xs.length; i++) {
                xs[i] += 3f; // a mean far from 0: a one-pass variance would lose digits here
            }
            Pair x = f32(shape, xs);
            Pair w = weight(weightType, Shape.of(s[1]), normal(s[1], 1));
            Pair b = weight(weightType, Shape.of(s[1]), normal(s[1], 1));
            Pair y = zeros(shape);
            Pair mean = zeros(Shape.of(s[0]));
            Pair rstd = zeros(Shape.of(s[0]));
            reference.layerNorm(x.ref(), w.ref(), b.ref(), 1e-5f, y.ref(), mean.ref(), rstd.ref());
            backend.layerNorm(x.dut(), w.dut(), b.dut(), 1e-5f, y.dut(), mean.dut(), rstd.dut());
            assertMatches(y, 1e-5, RTOL, "layerNorm y" + at);
            assertMatches(mean, 1e-6, RTOL, "layerNorm mean" + at);
            // A one-column row has variance 0 and rstd = 1/sqrt(eps): relative accuracy still applies.
            assertMatches(rstd, 0, RTOL, "layerNorm rstd" + at);

            Pair noBias = zeros(shape);
            reference.layerNorm(x.ref(), w.ref(), null, 1e-5f, noBias.ref(), null, null);
            backend.layerNorm(x.dut(), w.dut(), null, 1e-5f, noBias.dut(), null, null);
            assertMatches(noBias, 1e-5, RTOL, "layerNorm without bias or statistics" + at);

            Pair dy = randomF32(shape, 1);
            Pair dx = randomF32(shape, 1);
            Pair dw = randomF32(Shape.of(s[1]), 1);
            Pair db = randomF32(Shape.of(s[1]), 1);
            reference.layerNormBackward(dy.ref(), x.ref(), w.ref(), mean.ref(), rstd.ref(), dx.ref(), dw.ref(),
                    db.ref());
            backend.layerNormBackward(dy.dut(), x.dut(), w.dut(), mean.dut(), rstd.dut(), dx.dut(), dw.dut(),
                    db.dut());
            assertMatches(dx, 1e-5, RTOL, "layerNorm dx" + at);
            assertMatchesScaled(dw, RTOL, "layerNorm dweight" + at);
            assertMatchesScaled(db, RTOL, "layerNorm dbias" + at);
            reference.layerNormBackward(dy.ref(), x.ref(), w.ref(), mean.ref(), rstd.ref(), null, null, db.ref());
            backend.layerNormBackward(dy.dut(), x.dut(), w.dut(), mean.dut(), rstd.dut(), null, null, db.dut());
            assertMatchesScaled(db, RTOL, "layerNorm dbias only" + at);
            reference.layerNormBackward(dy.ref(), x.ref(), w.ref(), mean.ref(), rstd.ref(), dx.ref(), null, null);
            backend.layerNormBackward(dy.dut(), x.dut(), w.dut(), mean.dut(), rstd.dut(), dx.dut(), null, null);
            assertMatches(dx, 1e-5, RTOL, "layerNorm dx only" + at);
        }
    }
}
