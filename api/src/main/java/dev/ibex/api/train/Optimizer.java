package dev.ibex.api.train;

import dev.ibex.spi.backend.AdamWStep;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.nn.Var;
import dev.ibex.spi.tensor.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer over trainable parameters, running on the backend that holds them. State (AdamW's moments) is F32
 * and exists for trainable parameters only. Weight decay applies to matrices only: like transformers' Trainer,
 * which leaves biases and norm weights out of it, 1-D parameters are never decayed (LoRA's A and B are matrices).
 */
public sealed interface Optimizer permits Optimizer.AdamW, Optimizer.Sgd {

    /** One update of every parameter that has a gradient, at learning rate {@code lr}. */
    void step(List<Var> parameters, double lr);

    /** Optimizer steps taken so far. */
    long steps();

    /** The state to checkpoint, by name (empty for stateless optimizers). */
    Map<String, Tensor> state();

    /** Restores {@link #state()} and the step count from a checkpoint; {@code parameters} give the shapes. */
    void restore(Map<String, float[]> state, long steps, Map<String, Var> parameters);

    /** Whether weight decay applies to {@code p}: matrices yes; biases and norm weights (1-D) no. */
    static boolean decays(Var p) {
        return p.shape().rank() >= 2;
    }

    static Optimizer create(String name, Backend backend, double beta1, double beta2, double eps, double weightDecay) {
        return switch (name) {
            case "adamw_torch" -> new AdamW(backend, beta1, beta2, eps, weightDecay);
            case "sgd" -> new Sgd(backend, weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer " + name);
        };
    }

    /** {@code torch.optim.AdamW} (single-tensor path) with decoupled weight decay. */
    final class AdamW implements Optimizer {
        private final Backend backend;
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final double weightDecay;
        private final Map<String, Tensor[]> moments = new LinkedHashMap<>();
        private long steps;

        AdamW(Backend backend, double beta1, double beta2, double eps, double weightDecay) {
            this.backend = backend;
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.weightDecay = weightDecay;
        }

        @Override
        public void step(List<Var> parameters, double lr) {
            steps++;
            AdamWStep decayed = AdamWStep.of(lr, beta1, beta2, eps, weightDecay, steps);
            AdamWStep plain = AdamWStep.of(lr, beta1, beta2, eps, 0, steps);
            for (Var p : parameters) {
                if (p.grad() == null) {
                    continue;
                }
                AdamWStep scalars = decays(p) ? decayed : plain;
                Tensor[] mv = moments.computeIfAbsent(p.name(), n -> new Tensor[] {
                        backend.allocate(DType.F32, p.shape()), backend.allocate(DType.F32, p.shape())});
                backend.adamw(p.value(), p.grad(), mv[0], mv[1], scalars);
            }
        }

        @Override
        public long steps() {
            return steps;
        }

        @Override
        public Map<String, Tensor> state() {
            Map<String, Tensor> out = new LinkedHashMap<>();
            moments.forEach((name, mv) -> {
                out.put(name + ".exp_avg", mv[0]);
                out.put(name + ".exp_avg_sq", mv[1]);
            });
            return out;
        }

        @Override
        public void restore(Map<String, float[]> state, long steps, Map<String, Var> parameters) {
            this.steps = steps;
            moments.clear();
            for (var e : state.entrySet()) {
                String key = e.getKey();
                boolean first = key.endsWith(".exp_avg");
                String name = key.substring(0, key.length() - (first ? ".exp_avg".length() : ".exp_avg_sq".length()));
                Var p = parameters.get(name);
                if (p == null || p.shape().numel() != e.getValue().length) {
                    throw new dev.ibex.spi.IbexException("the checkpoint's optimizer state has " + key
                            + ", which does not fit this run's parameters (another model or adapter config?)");
                }
                Tensor[] mv = moments.computeIfAbsent(name, n -> new Tensor[2]);
                Tensor t = backend.allocate(DType.F32, p.shape());
                backend.writeFloats(t, 0, e.getValue(), 0, e.getValue().length);
                mv[first ? 0 : 1] = t;
            }
        }
    }

    /** Plain SGD as {@code torch.optim.SGD} without momentum: {@code g += wd·p; p -= lr·g}. */
    final class Sgd implements Optimizer {
        private final Backend backend;
        private final double weightDecay;
        private long steps;

        Sgd(Backend backend, double weightDecay) {
            this.backend = backend;
            this.weightDecay = weightDecay;
        }

        @Override
        public void step(List<Var> parameters, double lr) {
            steps++;
            for (Var p : parameters) {
                if (p.grad() == null) {
                    continue;
                }
                if (weightDecay != 0 && decays(p)) {
                    backend.axpy((float) weightDecay, p.value(), p.grad());
                }
                backend.axpy((float) -lr, p.grad(), p.value());
            }
        }

        @Override
        public long steps() {
            return steps;
        }

        @Override
        public Map<String, Tensor> state() {
            return Map.of();
        }

        @Override
        public void restore(Map<String, float[]> state, long steps, Map<String, Var> parameters) {
            this.steps = steps;
        }
    }
}
