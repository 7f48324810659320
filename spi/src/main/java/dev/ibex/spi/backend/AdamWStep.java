package dev.ibex.spi.backend;

/**
 * The scalars of one AdamW step, derived in double precision on the host as torch does (Python floats), and
 * handed to the kernel rounded to F32.
 *
 * @param decay          {@code 1 - lr·weightDecay}
 * @param beta1          β1
 * @param oneMinusBeta1  {@code 1 - β1}, computed in double
 * @param beta2          β2
 * @param oneMinusBeta2  {@code 1 - β2}, computed in double
 * @param stepSize       {@code lr / (1 - β1^t)}
 * @param bias2Sqrt      {@code sqrt(1 - β2^t)}
 * @param eps            ε
 */
public record AdamWStep(float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                        float stepSize, float bias2Sqrt, float eps) {

    /** The scalars for step {@code t} (1-based). */
    public static AdamWStep of(double lr, double beta1, double beta2, double eps, double weightDecay, long t) {
        double bias1 = 1 - Math.pow(beta1, t);
        double bias2 = 1 - Math.pow(beta2, t);
        return new AdamWStep((float) (1 - lr * weightDecay), (float) beta1, (float) (1 - beta1),
                (float) beta2, (float) (1 - beta2), (float) (lr / bias1), (float) Math.sqrt(bias2), (float) eps);
    }
}
