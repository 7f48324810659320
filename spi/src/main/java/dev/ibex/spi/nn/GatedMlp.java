package dev.ibex.spi.nn;

/** The SwiGLU feed-forward of LLaMA and Mistral: {@code down(silu(gate(x)) ⊙ up(x))}. */
public record GatedMlp(Linear gate, Linear up, Linear down) implements FeedForward {
    @Override
    public Var forward(Graph g, Var x) {
        return down.forward(g, g.swiglu(gate.forward(g, x), up.forward(g, x)));
    }
}
