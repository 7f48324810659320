package dev.ibex.spi.backend;

import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;

/**
 * A backend assembled from one object per kernel family: memory, matmul, elementwise, norms, RoPE, attention,
 * embedding, loss and optimizer. Every {@link Backend} method forwards to the family that implements it, so a
 * backend writes its kernels in family classes and only {@link #name()}, {@link #device()} and {@link #close()}
 * here (and overrides a forwarding method where it needs to, e.g. to time or trace a kernel).
 */
public abstract class ComposedBackend implements Backend {
    private final MemoryOps memory;
    private final MatmulKernels matmul;
    private final ElementwiseKernels elementwise;
    private final NormKernels norms;
    private final RopeKernels rope;
    private final AttentionKernels attention;
    private final EmbeddingKernels embedding;
    private final LossKernels loss;
    private final OptimizerKernels optimizer;

    protected ComposedBackend(MemoryOps memory, MatmulKernels matmul, ElementwiseKernels elementwise, NormKernels norms,
                              RopeKernels rope, AttentionKernels attention, EmbeddingKernels embedding,
                              LossKernels loss, OptimizerKernels optimizer) {
        this.memory = memory;
        this.matmul = matmul;
        this.elementwise = elementwise;
        this.norms = norms;
        this.rope = rope;
        this.attention = attention;
        this.embedding = embedding;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    @Override
    public Tensor allocate(DType dtype, Shape shape) {
        return memory.allocate(dtype, shape);
    }

    @Override
    public AllocationScope openScope() {
        return memory.openScope();
    }

    @Override
    public Tensor upload(HostTensor host) {
        return memory.upload(host);
    }

    @Override
    public QuantTensor upload(QuantizedTensor weight) {
        return memory.upload(weight);
    }

    @Override
    public Tensor fromFloats(Shape shape, float[] values) {
        return memory.fromFloats(shape, values);
    }

    @Override
    public Tensor fromInts(Shape shape, int[] values) {
        return memory.fromInts(shape, values);
    }

    @Override
    public void readFloats(Tensor tensor, long offset, float[] dst, int dstOffset, int count) {
        memory.readFloats(tensor, offset, dst, dstOffset, count);
    }

    @Override
    public void writeFloats(Tensor tensor, long offset, float[] src, int srcOffset, int count) {
        memory.writeFloats(tensor, offset, src, srcOffset, count);
    }

    @Override
    public float[] toFloats(Tensor tensor) {
        return memory.toFloats(tensor);
    }

    @Override
    public int[] toInts(Tensor tensor) {
        return memory.toInts(tensor);
    }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long count) {
        memory.copy(src, srcOffset, dst, dstOffset, count);
    }

    @Override
    public Tensor reshape(Tensor tensor, Shape shape) {
        return memory.reshape(tensor, shape);
    }

    @Override
    public void fill(Tensor tensor, float value) {
        memory.fill(tensor, value);
    }

    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, Tensor y, boolean accumulate) {
        matmul.linear(x, w, bias, y, accumulate);
    }

    @Override
    public void linearBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        matmul.linearBackwardInput(dy, w, dx);
    }

    @Override
    public void linearBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        matmul.linearBackwardWeight(dy, x, dw);
    }

    @Override
    public void sumRows(Tensor x, Tensor out) {
        matmul.sumRows(x, out);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        elementwise.add(a, b, out);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        elementwise.mul(a, b, out);
    }

    @Override
    public void scale(Tensor x, float alpha, Tensor out) {
        elementwise.scale(x, alpha, out);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        elementwise.axpy(alpha, x, y);
    }

    @Override
    public void activation(Activation f, Tensor x, Tensor out) {
        elementwise.activation(f, x, out);
    }

    @Override
    public void activationBackward(Activation f, Tensor x, Tensor dy, Tensor dx) {
        elementwise.activationBackward(f, x, dy, dx);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        elementwise.swiglu(gate, up, out);
    }

    @Override
    public void swigluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dgate, Tensor dup) {
        elementwise.swigluBackward(gate, up, dy, dgate, dup);
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int count, boolean accumulate) {
        elementwise.copyColumns(src, srcCol, dst, dstCol, count, accumulate);
    }

    @Override
    public void dropout(Tensor x, float p, long seed, Tensor out) {
        elementwise.dropout(x, p, seed, out);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y, Tensor rstd) {
        norms.rmsNorm(x, weight, eps, y, rstd);
    }

    @Override
    public void rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dweight) {
        norms.rmsNormBackward(dy, x, weight, rstd, dx, dweight);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd) {
        norms.layerNorm(x, weight, bias, eps, y, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dx,
                                  Tensor dweight, Tensor dbias) {
        norms.layerNormBackward(dy, x, weight, mean, rstd, dx, dweight, dbias);
    }

    @Override
    public void rope(Tensor x, Tensor positions, RopeSpec spec, Tensor out, boolean inverse, boolean accumulate) {
        rope.rope(x, positions, spec, out, inverse, accumulate);
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec, Tensor out,
                          Tensor lse) {
        attention.attention(q, k, v, keyMask, queryStart, spec, out, lse);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                                  Tensor out, Tensor lse, Tensor dout, Tensor dq, Tensor dk, Tensor dv) {
        attention.attentionBackward(q, k, v, keyMask, queryStart, spec, out, lse, dout, dq, dk, dv);
    }

    @Override
    public void embedding(Tensor ids, Tensor table, Tensor out) {
        embedding.embedding(ids, table, out);
    }

    @Override
    public void embeddingBackward(Tensor ids, Tensor dout, Tensor dtable) {
        embedding.embeddingBackward(ids, dout, dtable);
    }

    @Override
    public double crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor dlogits, float gradScale) {
        return loss.crossEntropy(logits, labels, ignoreIndex, dlogits, gradScale);
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        optimizer.adamw(param, grad, m, v, step);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return optimizer.sumOfSquares(x);
    }
}
