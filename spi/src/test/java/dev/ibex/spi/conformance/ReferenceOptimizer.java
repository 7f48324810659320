package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.ReferenceBackend.floats;
import static dev.ibex.spi.conformance.ReferenceBackend.store;

import dev.ibex.spi.backend.AdamWStep;
import dev.ibex.spi.backend.OptimizerKernels;
import dev.ibex.spi.backend.Tensor;

/**
 * AdamW in F32 with torch 1.13's order of operations ({@code _single_tensor_adamw}: {@code mul_}, {@code add_},
 * {@code addcmul_}, {@code sqrt}, {@code div}, {@code add_}, {@code addcdiv_}), each rounded to F32; and the sum of
 * squares in double.
 */
final class ReferenceOptimizer implements OptimizerKernels {

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        float[] p = floats(param);
        float[] g = floats(grad);
        float[] ms = floats(m);
        float[] vs = floats(v);
        if (g.length != p.length || ms.length != p.length || vs.length != p.length) {
            throw new IllegalArgumentException("adamw: param " + param.shape() + ", grad " + grad.shape() + ", m "
                    + m.shape() + ", v " + v.shape() + " differ");
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = p[i] * step.decay();
            ms[i] = ms[i] * step.beta1() + step.oneMinusBeta1() * g[i];
            vs[i] = vs[i] * step.beta2() + step.oneMinusBeta2() * g[i] * g[i];
            float denom = (float) Math.sqrt(vs[i]) / step.bias2Sqrt() + step.eps();
            p[i] = p[i] + -step.stepSize() * ms[i] / denom;
        }
        store(param, p);
        store(m, ms);
        store(v, vs);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        double sum = 0;
        for (float f : floats(x)) {
            sum += (double) f * f;
        }
        return sum;
    }
}
