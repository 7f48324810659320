package dev.ibex.spi.nn;

/** The feed-forward half of a decoder layer ({@link GatedMlp}, {@link Mlp}). */
public interface FeedForward {
    Var forward(Graph g, Var x);
}
