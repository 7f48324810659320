package dev.ibex.spi.nn;

import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.Shape;
import java.util.Objects;

/**
 * A tensor in an autograd {@link Graph}: its value and, when it requires one, its gradient.
 *
 * <p>A parameter is a leaf Var made with {@link #parameter}: it outlives graphs and collects gradients across
 * backward passes (gradient accumulation) until {@link #zeroGrad()}. A frozen weight or an input is a
 * {@link #constant}.
 */
public final class Var {
    private final Tensor value;
    private final boolean requiresGrad;
    private final String name;
    private Tensor grad;

    Var(Tensor value, boolean requiresGrad, String name) {
        this.value = Objects.requireNonNull(value, "value");
        this.requiresGrad = requiresGrad;
        this.name = name;
    }

    /** A trainable leaf (F32). */
    public static Var parameter(String name, Tensor value) {
        return new Var(value, true, name);
    }

    /** A leaf that gets no gradient: a frozen weight or an input. */
    public static Var constant(Tensor value) {
        return new Var(value, false, null);
    }

    /** A named leaf that gets no gradient (a frozen weight). */
    public static Var frozen(String name, Tensor value) {
        return new Var(value, false, name);
    }

    public Tensor value() {
        return value;
    }

    public Shape shape() {
        return value.shape();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The parameter name, or null for intermediate results. */
    public String name() {
        return name;
    }

    /** The gradient collected so far, or null when none has reached this Var. */
    public Tensor grad() {
        return grad;
    }

    void setGrad(Tensor grad) {
        this.grad = grad;
    }

    /**
     * Gives a parameter a gradient buffer allocated by its owner (outside any allocation scope), so gradients
     * collect there across micro-batches; the owner zeroes it after each optimizer step.
     */
    public void attachGrad(Tensor buffer) {
        if (!requiresGrad) {
            throw new IllegalStateException(this + " does not require a gradient");
        }
        if (!buffer.shape().equals(value.shape())) {
            throw new IllegalArgumentException("gradient shape " + buffer.shape() + " differs from " + value.shape());
        }
        this.grad = buffer;
    }

    /** Forgets the gradient; the next backward pass allocates a new one. */
    public void clearGrad() {
        grad = null;
    }

    @Override
    public String toString() {
        return "Var[" + (name != null ? name + " " : "") + value.dtype() + " " + value.shape()
                + (requiresGrad ? " grad" : "") + "]";
    }
}
