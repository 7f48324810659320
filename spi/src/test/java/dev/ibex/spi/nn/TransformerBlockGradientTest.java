package dev.ibex.spi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.conformance.ReferenceBackend;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gradients through {@link Graph#linear} and the blocks built on it: a linear with trainable and frozen weights
 * and biases, and a whole LLaMA-style decoder layer with LoRA adapters ({@link LoraLinear} with dropout,
 * {@link SelfAttention} with RoPE and grouped heads, {@link GatedMlp}, a BF16 frozen weight, residuals, norms)
 * under a LayerNorm and a frozen LM head, checked against finite differences, plainly and checkpointed.
 *
 * <p>These need the reference matmul ({@code ReferenceMatmul}); until it is present they are skipped, not failed.
 */
class TransformerBlockGradientTest {
    private static final int VOCAB = 11;
    private static final int HIDDEN = 8;
    private static final int HEADS = 2;
    private static final int KV_HEADS = 1;
    private static final int HEAD_DIM = 4;
    private static final int FFN = 12;
    private static final int RANK = 2;
    private static final int BATCH = 2;
    private static final int SEQ = 4;

    private final GradCheck check = new GradCheck();
    private final Arena hostMemory = Arena.ofAuto();

    @BeforeEach
    void needsTheReferenceMatmul() {
        boolean available;
        try {
            ReferenceBackend r = new ReferenceBackend();
            Tensor one = r.fromFloats(Shape.of(1, 1), new float[] {1});
            r.linear(one, one, null, r.allocate(DType.F32, Shape.of(1, 1)), false);
            available = true;
        } catch (UnsupportedOperationException e) {
            available = false;
        }
        assumeTrue(available, "ReferenceMatmul is not implemented on this branch yet");
    }

    private Var frozen(String name, Shape shape) {
        return Var.frozen(name, check.tensor(shape, 0.5));
    }

    private Var frozenBf16(String name, Shape shape) {
        float[] values = check.normal(Math.toIntExact(shape.numel()), 0.5);
        HostTensor host = HostTensor.view(DType.BF16, shape, hostMemory.allocate(values.length * 2L));
        for (int i = 0; i < values.length; i++) {
            host.setFloat(i, values[i]);
        }
        return Var.frozen(name, check.backend.upload(host));
    }

    private LoraLinear lora(String name, Linear base) {
        Var a = check.param(name + ".lora_A", Shape.of(RANK, base.inFeatures()), 0.5);
        Var b = check.param(name + ".lora_B", Shape.of(base.outFeatures(), RANK), 0.5);
        return new LoraLinear(base, a, b, 2f, 0.1f);
    }

    @Test
    void linearWithTrainableAndFrozenWeights() {
        Var x = check.param("x", Shape.of(3, 5), 1);
        Var w = check.param("w", Shape.of(4, 5), 1);
        Var b = check.param("b", Shape.of(4), 1);
        Var frozenW = frozen("frozen w", Shape.of(4, 5));
        Var frozenB = frozen("frozen b", Shape.of(4));
        Tensor labels = check.labels(3, 4);
        GradCheck.Model model = g -> g.add(g.linear(x, w, b), g.linear(x, frozenW, frozenB));
        check.assertGradients("trainable + frozen linear", model, labels, List.of(x, w, b), 1e-2, 2e-3);
        Graph g = Graph.training(check.backend, GradCheck.SEED);
        g.backward(g.crossEntropy(model.logits(g), labels, GradCheck.IGNORE, check.counted(labels)));
        assertNull(frozenW.grad(), "a frozen weight gets no gradient");
        assertNull(frozenB.grad(), "a frozen bias gets no gradient");
    }

    /** A LLaMA-style decoder layer with LoRA on q, v and up; o_proj fully trainable. */
    private final class Layer {
        final RmsNorm norm1 = new RmsNorm(check.param("input_layernorm", Shape.of(HIDDEN), 1), 1e-5f);
        final LoraLinear q = lora("q_proj", Linear.of(frozen("q", Shape.of(HEADS * HEAD_DIM, HIDDEN)), null));
        final Linear k = Linear.of(frozenBf16("k", Shape.of(KV_HEADS * HEAD_DIM, HIDDEN)), null);
        final LoraLinear v = lora("v_proj", Linear.of(frozen("v", Shape.of(KV_HEADS * HEAD_DIM, HIDDEN)), null));
        final Linear o = Linear.of(check.param("o_proj.weight", Shape.of(HIDDEN, HEADS * HEAD_DIM), 0.5),
                check.param("o_proj.bias", Shape.of(HIDDEN), 0.5));
        final SelfAttention attention = new SelfAttention(HEADS, KV_HEADS, HEAD_DIM,
                (float) (1 / Math.sqrt(HEAD_DIM)), RopeSpec.standard(HEAD_DIM, HEAD_DIM, 10_000, 1f), 0);
        final RmsNorm norm2 = new RmsNorm(check.param("post_attention_layernorm", Shape.of(HIDDEN), 1), 1e-5f);
        final GatedMlp mlp = new GatedMlp(Linear.of(frozen("gate", Shape.of(FFN, HIDDEN)), null),
                lora("up_proj", Linear.of(frozen("up", Shape.of(FFN, HIDDEN)), frozen("up bias", Shape.of(FFN)))),
                Linear.of(frozen("down", Shape.of(HIDDEN, FFN)), null));
        final Batch in;

        Layer() {
            int[] pos = new int[BATCH * SEQ];
            for (int i = 0; i < pos.length; i++) {
                pos[i] = i % SEQ;
            }
            Tensor positions = check.backend.fromInts(Shape.of(pos.length), pos);
            Tensor mask = check.backend.fromInts(Shape.of(BATCH, SEQ), new int[] {1, 1, 1, 1, 1, 1, 1, 0});
            in = new Batch(BATCH, SEQ, check.backend.fromInts(Shape.of(pos.length), new int[pos.length]), positions,
                    mask, null, null, null, false);
        }

        Var forward(Graph g, Var x) {
            Var n1 = norm1.forward(g, x);
            Var att = attention.forward(g, q.forward(g, n1), k.forward(g, n1), v.forward(g, n1), in, 0);
            Var h = g.add(x, o.forward(g, att));
            return g.add(h, mlp.forward(g, norm2.forward(g, h)));
        }

        List<Var> trainable() {
            return List.of(norm1.weight(), q.a(), q.b(), v.a(), v.b(), ((DenseLinear) o).weight(),
                    ((DenseLinear) o).bias(), norm2.weight(), ((LoraLinear) mlp.up()).a(),
                    ((LoraLinear) mlp.up()).b());
        }
    }

    private final Var embed = frozen("embed_tokens", Shape.of(VOCAB, HIDDEN));
    private final Var lmHead = frozen("lm_head", Shape.of(VOCAB, HIDDEN));
    private final LayerNorm finalNorm = new LayerNorm(check.param("ln_f.weight", Shape.of(HIDDEN), 1),
            check.param("ln_f.bias", Shape.of(HIDDEN), 0.5), 1e-5f);
    private final Tensor ids = check.backend.fromInts(Shape.of(BATCH * SEQ), new int[] {1, 5, 9, 2, 7, 7, 3, 0});

    private GradCheck.Model model(Layer layer, boolean checkpoint) {
        BiFunction<Graph, Var, Var> block = layer::forward;
        return g -> {
            Var x = g.embedding(ids, embed);
            Var h = checkpoint ? g.checkpoint(block, x) : block.apply(g, x);
            return g.linear(finalNorm.forward(g, h), lmHead, null);
        };
    }

    private List<Var> trainable(Layer layer) {
        List<Var> all = new java.util.ArrayList<>(layer.trainable());
        all.add(finalNorm.weight());
        all.add(finalNorm.bias());
        return all;
    }

    @Test
    void loraDecoderLayerMatchesFiniteDifferences() {
        Layer layer = new Layer();
        Tensor labels = check.labels(BATCH * SEQ, VOCAB);
        check.assertGradients("LoRA decoder layer", model(layer, false), labels, trainable(layer), 1e-2, 3e-3);
    }

    @Test
    void checkpointedLayerGivesIdenticalGradients() {
        Layer layer = new Layer();
        Tensor labels = check.labels(BATCH * SEQ, VOCAB);
        Map<Var, float[]> plain = check.analytic(model(layer, false), labels, trainable(layer));
        Map<Var, float[]> checkpointed = check.analytic(model(layer, true), labels, trainable(layer));
        for (Var p : trainable(layer)) {
            assertArrayEquals(plain.get(p), checkpointed.get(p), p.toString());
        }
    }

    @Test
    void mlpWithActivationAndFrozenLinears() {
        Var x = check.param("x", Shape.of(5, HIDDEN), 1);
        Mlp mlp = new Mlp(lora("fc1", Linear.of(frozen("fc1", Shape.of(FFN, HIDDEN)), frozen("fc1.b", Shape.of(FFN)))),
                Linear.of(frozen("fc2", Shape.of(VOCAB, FFN)), null), Activation.GELU);
        Tensor labels = check.labels(5, VOCAB);
        LoraLinear fc1 = (LoraLinear) mlp.fc1();
        check.assertGradients("OPT/Falcon MLP with LoRA", g -> mlp.forward(g, x), labels,
                List.of(x, fc1.a(), fc1.b()), 1e-2, 2e-3);
    }
}
