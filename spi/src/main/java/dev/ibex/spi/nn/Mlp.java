package dev.ibex.spi.nn;

import dev.ibex.spi.backend.Activation;

/** A two-layer feed-forward {@code fc2(f(fc1(x)))}: OPT (ReLU), Falcon (GELU). */
public record Mlp(Linear fc1, Linear fc2, Activation activation) implements FeedForward {
    @Override
    public Var forward(Graph g, Var x) {
        return fc2.forward(g, g.activation(activation, fc1.forward(g, x)));
    }
}
