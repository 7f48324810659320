package dev.ibex.spi.nn;


/** A decoder-only language model built by an architecture plugin. */
public interface CausalLM {

    ModelInfo info();

    /**
     * Runs the model over {@code in} and returns the logits {@code [rows, vocab]} for the rows named by
     * {@code in.logitRows()} (all rows when null). With a cache, the new keys and values are written into it; the
     * caller advances the cache afterwards.
     */
    Var forward(Graph g, Batch in);
}
