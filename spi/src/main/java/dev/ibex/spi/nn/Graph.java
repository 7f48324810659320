package dev.ibex.spi.nn;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * One forward pass on a backend, and, when it records, the tape its backward pass replays.
 *
 * <p>Every operation runs at once through the backend's kernels and returns a {@link Var}. When the graph
 * records and an input requires a gradient, the op also pushes its backward step (next to its forward, below) on
 * the tape; {@link #backward(Var)} replays the tape in reverse. Ops on frozen weights and inputs only record
 * nothing, so inference and frozen layers cost no memory for the tape.
 */
public final class Graph {
    private final Backend backend;
    private final boolean recording;
    private final boolean training;
    private final List<Node> tape = new ArrayList<>();
    private long dropoutSeed;
    private long dropoutCounter;

    private record Node(Var out, Backward backward) {
    }

    @FunctionalInterface
    private interface Backward {
        void run(Tensor dOut);
    }

    private Graph(Backend backend, boolean recording, boolean training, long dropoutSeed) {
        this.backend = backend;
        this.recording = recording;
        this.training = training;
        this.dropoutSeed = dropoutSeed;
    }

    /** A graph that records nothing: inference. */
    public static Graph inference(Backend backend) {
        return new Graph(backend, false, false, 0);
    }

    /** A graph that records for {@link #backward}; {@code dropoutSeed} makes dropout masks reproducible. */
    public static Graph training(Backend backend, long dropoutSeed) {
        return new Graph(backend, true, true, dropoutSeed);
    }

    public Backend backend() {
        return backend;
    }

    /** Whether ops record their backward steps. */
    public boolean recording() {
        return recording;
    }

    /** Whether this is a training pass (dropout active), recorded or being checkpointed. */
    public boolean training() {
        return training;
    }

    /** Wraps a tensor that gets no gradient (an input or a frozen weight). */
    public Var constant(Tensor value) {
        return Var.constant(value);
    }

    // ---------------------------------------------------------------- the tape

    private Var result(Tensor value, Backward backward, Var... inputs) {
        boolean needsGrad = false;
        if (recording) {
            for (Var in : inputs) {
                if (in != null && in.requiresGrad()) {
                    needsGrad = true;
                    break;
                }
            }
        }
        Var out = new Var(value, needsGrad, null);
        if (needsGrad) {
            tape.add(new Node(out, backward));
        }
        return out;
    }

    /** The gradient tensor of {@code v}, created as zeros on first use. */
    private Tensor gradOf(Var v) {
        if (v.grad() == null) {
            v.setGrad(backend.allocate(DType.F32, v.shape()));
        }
        return v.grad();
    }

    private static boolean needs(Var v) {
        return v != null && v.requiresGrad();
    }

    private Tensor newF32(long rows, long cols) {
        return backend.allocate(DType.F32, Shape.of(rows, cols));
    }

    /**
     * Back-propagates from a scalar (one-element) {@code loss}: every parameter it depends on collects
     * {@code ∂loss/∂parameter} into its gradient. The tape is consumed; intermediate gradients are released.
     */
    public void backward(Var loss) {
        backward(loss, 1f);
    }

    /** As {@link #backward(Var)}, with the seed gradient {@code ∂out/∂loss = seed} (e.g. 1/accumulation steps). */
    public void backward(Var loss, float seed) {
        if (loss.value().numel() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got shape " + loss.shape());
        }
        if (!loss.requiresGrad()) {
            throw new IllegalStateException("the loss does not depend on any trainable parameter");
        }
        backend.fill(gradOf(loss), seed);
        replayTape();
    }

    private void replayTape() {
        for (int i = tape.size() - 1; i >= 0; i--) {
            Node node = tape.get(i);
            Tensor g = node.out().grad();
            if (g != null) {
                node.backward().run(g);
                node.out().setGrad(null);
            }
        }
        tape.clear();
    }

    // ---------------------------------------------------------------- linear algebra

    /** {@code y = x·wᵀ + b}; {@code w} is {@code [out, in]} in any weight format, {@code b} may be null. */
    public Var linear(Var x, Var w, Var b) {
        Tensor y = newF32(x.shape().rows(), w.shape().dim(0));
        backend.linear(x.value(), w.value(), b == null ? null : b.value(), y, false);
        return result(y, dy -> {
            if (needs(x)) {
                backend.linearBackwardInput(dy, w.value(), gradOf(x));
            }
            if (needs(w)) {
                backend.linearBackwardWeight(dy, x.value(), gradOf(w));
            }
            if (needs(b)) {
                backend.sumRows(dy, gradOf(b));
            }
        }, x, w, b);
    }

    /** {@code a + b} (same shape). */
    public Var add(Var a, Var b) {
        Tensor out = backend.allocate(DType.F32, a.shape());
        backend.add(a.value(), b.value(), out);
        return result(out, dy -> {
            if (needs(a)) {
                backend.axpy(1f, dy, gradOf(a));
            }
            if (needs(b)) {
                backend.axpy(1f, dy, gradOf(b));
            }
        }, a, b);
    }

    /** {@code a ⊙ b} (same shape). */
    public Var mul(Var a, Var b) {
        Tensor out = backend.allocate(DType.F32, a.shape());
        backend.mul(a.value(), b.value(), out);
        return result(out, dy -> {
            Tensor tmp = backend.allocate(DType.F32, a.shape());
            if (needs(a)) {
                backend.mul(dy, b.value(), tmp);
                backend.axpy(1f, tmp, gradOf(a));
            }
            if (needs(b)) {
                backend.mul(dy, a.value(), tmp);
                backend.axpy(1f, tmp, gradOf(b));
            }
        }, a, b);
    }

    /** {@code alpha·x}. */
    public Var scale(Var x, float alpha) {
        Tensor out = backend.allocate(DType.F32, x.shape());
        backend.scale(x.value(), alpha, out);
        return result(out, dy -> backend.axpy(alpha, dy, gradOf(x)), x);
    }

    // ---------------------------------------------------------------- pointwise

    /** {@code f(x)}. */
    public Var activation(Activation f, Var x) {
        Tensor out = backend.allocate(DType.F32, x.shape());
        backend.activation(f, x.value(), out);
        return result(out, dy -> backend.activationBackward(f, x.value(), dy, gradOf(x)), x);
    }

    /** SwiGLU: {@code silu(gate) ⊙ up}. */
    public Var swiglu(Var gate, Var up) {
        Tensor out = backend.allocate(DType.F32, gate.shape());
        backend.swiglu(gate.value(), up.value(), out);
        return result(out, dy -> backend.swigluBackward(gate.value(), up.value(), dy,
                needs(gate) ? gradOf(gate) : null, needs(up) ? gradOf(up) : null), gate, up);
    }

    /** Inverted dropout with probability {@code p}; the identity when {@code p == 0} or not training. */
    public Var dropout(Var x, float p) {
        if (p <= 0f || !training) {
            return x;
        }
        long seed = dropoutSeed * 0x9E3779B97F4A7C15L + (dropoutCounter++);
        Tensor out = backend.allocate(DType.F32, x.shape());
        backend.dropout(x.value(), p, seed, out);
        return result(out, dy -> {
            Tensor tmp = backend.allocate(DType.F32, x.shape());
            backend.dropout(dy, p, seed, tmp);
            backend.axpy(1f, tmp, gradOf(x));
        }, x);
    }

    /** Columns {@code [start, start+count)} of a matrix. */
    public Var columns(Var x, int start, int count) {
        return columnBlocks(x, new int[] {start}, count);
    }

    /**
     * Column blocks of a matrix side by side: block {@code i} of the result is
     * {@code x[:, starts[i] .. starts[i]+width)}. Splits fused projections whatever their layout.
     */
    public Var columnBlocks(Var x, int[] starts, int width) {
        long rows = x.shape().rows();
        int[] from = starts.clone();
        Tensor out = newF32(rows, (long) from.length * width);
        for (int i = 0; i < from.length; i++) {
            backend.copyColumns(x.value(), from[i], out, i * width, width, false);
        }
        return result(out, dy -> {
            for (int i = 0; i < from.length; i++) {
                backend.copyColumns(dy, i * width, gradOf(x), from[i], width, true);
            }
        }, x);
    }

    /** The same values with another shape of the same element count. */
    public Var reshape(Var x, Shape shape) {
        Tensor out = backend.reshape(x.value(), shape);
        return result(out, dy -> backend.axpy(1f, backend.reshape(dy, x.shape()), gradOf(x)), x);
    }

    // ---------------------------------------------------------------- norms

    /** RMSNorm over the last dimension. */
    public Var rmsNorm(Var x, Var weight, float eps) {
        Tensor y = backend.allocate(DType.F32, x.shape());
        boolean keep = recording && (needs(x) || needs(weight));
        Tensor rstd = keep ? backend.allocate(DType.F32, Shape.of(x.shape().rows())) : null;
        backend.rmsNorm(x.value(), weight.value(), eps, y, rstd);
        return result(y, dy -> backend.rmsNormBackward(dy, x.value(), weight.value(), rstd,
                needs(x) ? gradOf(x) : null, needs(weight) ? gradOf(weight) : null), x, weight);
    }

    /** LayerNorm over the last dimension; {@code bias} may be null. */
    public Var layerNorm(Var x, Var weight, Var bias, float eps) {
        Tensor y = backend.allocate(DType.F32, x.shape());
        boolean keep = recording && (needs(x) || needs(weight) || needs(bias));
        Tensor mean = keep ? backend.allocate(DType.F32, Shape.of(x.shape().rows())) : null;
        Tensor rstd = keep ? backend.allocate(DType.F32, Shape.of(x.shape().rows())) : null;
        backend.layerNorm(x.value(), weight.value(), bias == null ? null : bias.value(), eps, y, mean, rstd);
        return result(y, dy -> backend.layerNormBackward(dy, x.value(), weight.value(), mean, rstd,
                needs(x) ? gradOf(x) : null, needs(weight) ? gradOf(weight) : null,
                needs(bias) ? gradOf(bias) : null), x, weight, bias);
    }

    // ---------------------------------------------------------------- positions and attention

    /** Rotary embedding of every head of {@code x} ({@code [rows, heads·headDim]}) at {@code positions} (I32). */
    public Var rope(Var x, Tensor positions, RopeSpec spec) {
        Tensor out = backend.allocate(DType.F32, x.shape());
        backend.rope(x.value(), positions, spec, out, false, false);
        return result(out, dy -> backend.rope(dy, positions, spec, gradOf(x), true, true), x);
    }

    /**
     * Scaled-dot-product attention (see {@link dev.ibex.spi.backend.AttentionKernels}); returns
     * {@code [batch·queryLen, heads·headDim]}.
     */
    public Var attention(Var q, Var k, Var v, Tensor keyMask, int queryStart, AttentionSpec spec) {
        Tensor out = newF32(q.shape().rows(), (long) spec.heads() * spec.headDim());
        boolean keep = recording && (needs(q) || needs(k) || needs(v));
        Tensor lse = keep ? backend.allocate(DType.F32, Shape.of((long) spec.batch() * spec.heads() * spec.queryLen()))
                : null;
        backend.attention(q.value(), k.value(), v.value(), keyMask, queryStart, spec, out, lse);
        return result(out, dy -> backend.attentionBackward(q.value(), k.value(), v.value(), keyMask, queryStart, spec,
                out, lse, dy, needs(q) ? gradOf(q) : null, needs(k) ? gradOf(k) : null,
                needs(v) ? gradOf(v) : null), q, k, v);
    }

    // ---------------------------------------------------------------- embeddings and loss

    /** Rows of {@code table} ({@code [V, D]}) for {@code ids} (I32 {@code [n]}): {@code [n, D]}. */
    public Var embedding(Tensor ids, Var table) {
        Tensor out = newF32(ids.numel(), table.shape().dim(1));
        backend.embedding(ids, table.value(), out);
        return result(out, dy -> backend.embeddingBackward(ids, dy, gradOf(table)), table);
    }

    /**
     * Mean cross-entropy of {@code logits} ({@code [M, V]}) against {@code labels} (I32 {@code [M]}) over the
     * {@code counted} rows whose label is not {@code ignoreIndex}; a one-element Var.
     */
    public Var crossEntropy(Var logits, Tensor labels, int ignoreIndex, int counted) {
        double sum = backend.crossEntropy(logits.value(), labels, ignoreIndex, null, 0f);
        float mean = counted == 0 ? 0f : (float) (sum / counted);
        Tensor out = backend.fromFloats(Shape.of(1), new float[] {mean});
        return result(out, dy -> {
            float[] upstream = new float[1];
            backend.readFloats(dy, 0, upstream, 0, 1);
            if (counted > 0) {
                backend.crossEntropy(logits.value(), labels, ignoreIndex, gradOf(logits), upstream[0] / counted);
            }
        }, logits);
    }

    // ---------------------------------------------------------------- memory

    /**
     * Gradient checkpointing: runs {@code block} on {@code x} without keeping its activations, and runs it again
     * during the backward pass to get them back. Trades one extra forward per block for memory.
     */
    public Var checkpoint(BiFunction<Graph, Var, Var> block, Var x) {
        if (!recording) {
            return block.apply(this, x);
        }
        long seedAtStart = dropoutCounter;
        Graph quiet = new Graph(backend, false, true, dropoutSeed);
        quiet.dropoutCounter = seedAtStart;
        Var out = block.apply(quiet, x);
        dropoutCounter = quiet.dropoutCounter;
        return recorded(out.value(), dy -> {
            Graph replay = new Graph(backend, true, true, dropoutSeed);
            replay.dropoutCounter = seedAtStart;
            Var input = new Var(x.value(), needs(x), null);
            Var again = block.apply(replay, input);
            if (!again.requiresGrad()) {
                return;
            }
            backend.axpy(1f, dy, replay.gradOf(again));
            replay.replayTape();
            if (needs(x) && input.grad() != null) {
                backend.axpy(1f, input.grad(), gradOf(x));
            }
        });
    }

    /** Records {@code backward} unconditionally (when recording): for blocks whose trainable weights we cannot see. */
    private Var recorded(Tensor value, Backward backward) {
        Var out = new Var(value, true, null);
        tape.add(new Node(out, backward));
        return out;
    }
}
