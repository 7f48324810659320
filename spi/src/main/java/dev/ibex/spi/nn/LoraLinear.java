package dev.ibex.spi.nn;

import java.util.Objects;

/**
 * A LoRA adapter around a frozen linear, exactly as PEFT's {@code lora.Linear}:
 * {@code y = base(x) + (B·(A·dropout(x)))·scaling}, with {@code A} {@code [r, in]} and {@code B} {@code [out, r]}
 * trainable, {@code scaling = alpha/r} (or {@code alpha/√r} with rsLoRA), and dropout only on the adapter's input.
 */
public final class LoraLinear implements Linear {
    private final Linear base;
    private final Var a;
    private final Var b;
    private final float scaling;
    private final float dropout;
    private boolean enabled = true;

    public LoraLinear(Linear base, Var a, Var b, float scaling, float dropout) {
        this.base = Objects.requireNonNull(base, "base");
        this.a = Objects.requireNonNull(a, "a");
        this.b = Objects.requireNonNull(b, "b");
        if (a.shape().dim(1) != base.inFeatures() || b.shape().dim(0) != base.outFeatures()
                || a.shape().dim(0) != b.shape().dim(1)) {
            throw new IllegalArgumentException("LoRA shapes A " + a.shape() + " and B " + b.shape()
                    + " do not fit a linear " + base.inFeatures() + " -> " + base.outFeatures());
        }
        this.scaling = scaling;
        this.dropout = dropout;
    }

    public Linear base() {
        return base;
    }

    /** {@code lora_A}, {@code [r, in]}. */
    public Var a() {
        return a;
    }

    /** {@code lora_B}, {@code [out, r]}. */
    public Var b() {
        return b;
    }

    public float scaling() {
        return scaling;
    }

    public int rank() {
        return a.shape().intDim(0);
    }

    /** Turns the adapter off (the base layer alone) or back on, as PEFT's {@code disable_adapter}. */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    @Override
    public int inFeatures() {
        return base.inFeatures();
    }

    @Override
    public int outFeatures() {
        return base.outFeatures();
    }

    @Override
    public Var forward(Graph g, Var x) {
        Var y = base.forward(g, x);
        if (!enabled) {
            return y;
        }
        Var t = g.linear(g.dropout(x, dropout), a, null);
        Var u = g.linear(t, b, null);
        return g.add(y, g.scale(u, scaling));
    }
}
