package dev.ibex.spi.nn;

/** A row-wise normalisation layer ({@link RmsNorm}, {@link LayerNorm}). */
public interface Norm {
    Var forward(Graph g, Var x);
}
