package dev.ibex.spi.nn;

import static org.junit.jupiter.api.Assertions.fail;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.conformance.ReferenceBackend;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks {@link Graph}'s backward pass against central finite differences of whole computations on the reference
 * backend. A model builds logits on a graph; the loss is {@link Graph#crossEntropy} over them, and the numeric
 * side re-evaluates the same model (same dropout seed, so the same masks) with each parameter element nudged,
 * taking the loss in double from {@link Backend#crossEntropy}.
 */
final class GradCheck {
    /** The dropout seed of every graph here: the numeric side must draw the analytic side's masks. */
    static final long SEED = 0xD0D0;
    static final int IGNORE = -100;

    final ReferenceBackend backend = new ReferenceBackend();
    final SplittableRandom random = new SplittableRandom(20261123);

    /** Builds the logits of a small computation. */
    @FunctionalInterface
    interface Model {
        Var logits(Graph g);
    }

    float[] normal(int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (sigma * random.nextGaussian());
        }
        return v;
    }

    Var param(String name, Shape shape, double sigma) {
        return Var.parameter(name, backend.fromFloats(shape, normal(Math.toIntExact(shape.numel()), sigma)));
    }

    Tensor tensor(Shape shape, double sigma) {
        return backend.fromFloats(shape, normal(Math.toIntExact(shape.numel()), sigma));
    }

    /** Labels for {@code rows} rows of {@code vocab} logits; every third row ignored. */
    Tensor labels(int rows, int vocab) {
        int[] l = new int[rows];
        for (int r = 0; r < rows; r++) {
            l[r] = r % 3 == 2 ? IGNORE : random.nextInt(vocab);
        }
        return backend.fromInts(Shape.of(rows), l);
    }

    int counted(Tensor labels) {
        int n = 0;
        for (int l : backend.toInts(labels)) {
            n += l == IGNORE ? 0 : 1;
        }
        return n;
    }

    /** One recorded forward and backward pass: each parameter's gradient (zeros where none arrived). */
    Map<Var, float[]> analytic(Model model, Tensor labels, List<Var> params) {
        Graph g = Graph.training(backend, SEED);
        Var loss = g.crossEntropy(model.logits(g), labels, IGNORE, counted(labels));
        g.backward(loss);
        Map<Var, float[]> grads = new LinkedHashMap<>();
        for (Var p : params) {
            grads.put(p, p.grad() == null ? new float[Math.toIntExact(p.value().numel())]
                    : backend.toFloats(p.grad()));
            p.clearGrad();
        }
        return grads;
    }

    /** The mean loss in double (no backward pass). */
    double loss(Model model, Tensor labels) {
        Graph g = Graph.training(backend, SEED);
        Var logits = model.logits(g);
        return backend.crossEntropy(logits.value(), labels, IGNORE, null, 0f) / counted(labels);
    }

    /** ∂loss/∂p by central differences over every element of p (its tensor is nudged in place and restored). */
    double[] numeric(Model model, Tensor labels, Var p, double h) {
        float[] base = backend.toFloats(p.value());
        double[] g = new double[base.length];
        float[] one = new float[1];
        for (int i = 0; i < base.length; i++) {
            float up = (float) (base[i] + h);
            float down = (float) (base[i] - h);
            one[0] = up;
            backend.writeFloats(p.value(), i, one, 0, 1);
            double lUp = loss(model, labels);
            one[0] = down;
            backend.writeFloats(p.value(), i, one, 0, 1);
            double lDown = loss(model, labels);
            one[0] = base[i];
            backend.writeFloats(p.value(), i, one, 0, 1);
            g[i] = (lUp - lDown) / ((double) up - down);
        }
        return g;
    }

    /**
     * Asserts every parameter's analytic gradient matches finite differences to {@code tol} times the largest
     * gradient element of that parameter (at least {@code floor}, so an all-zero gradient is checked absolutely).
     */
    void assertGradients(String what, Model model, Tensor labels, List<Var> params, double h, double tol) {
        Map<Var, float[]> analytic = analytic(model, labels, params);
        List<String> failures = new ArrayList<>();
        for (Var p : params) {
            double[] num = numeric(model, labels, p, h);
            float[] ana = analytic.get(p);
            double scale = 1e-3;
            for (double v : num) {
                scale = Math.max(scale, Math.abs(v));
            }
            double worst = 0;
            int at = 0;
            for (int i = 0; i < num.length; i++) {
                double err = Math.abs(ana[i] - num[i]);
                if (!(err <= worst)) {
                    worst = err;
                    at = i;
                }
            }
            if (!(worst <= tol * scale)) {
                failures.add(String.format(Locale.ROOT, "%s: |analytic − numeric| = %.3e at [%d] (analytic %s,"
                        + " numeric %.6g; allowed %.1e)", p, worst, at, ana[at], num[at], tol * scale));
            }
        }
        if (!failures.isEmpty()) {
            fail(what + ": " + String.join("; ", failures));
        }
    }

    /** A new F32 zero tensor. */
    Tensor zeros(Shape shape) {
        return backend.allocate(DType.F32, shape);
    }
}
