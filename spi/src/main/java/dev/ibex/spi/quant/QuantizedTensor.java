package dev.ibex.spi.quant;

import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.util.Map;
import java.util.Optional;

/**
 * A frozen weight matrix {@code [out, in]} in a quantized format, in host memory.
 *
 * <p>The reference methods here are slow and simple on purpose: they define the format's arithmetic, backends
 * compare their fused kernels with them, and a backend without a kernel for the format calls them.
 */
public interface QuantizedTensor extends AutoCloseable {

    /** The format id ({@code "nf4"}, {@code "fp4"}, {@code "int8"}). */
    String format();

    /** The logical (dequantized) shape {@code [out, in]}. */
    Shape shape();

    /** Bytes of storage, scales included: by default, every byte of every {@link #parts() part}. */
    default long storageBytes() {
        return parts().values().stream().mapToLong(HostTensor::byteSize).sum();
    }

    /** Storage bits per weight, scales included (NF4 with double quantization: ≈ 4.127). */
    default double bitsPerWeight() {
        return storageBytes() * 8.0 / shape().numel();
    }

    /**
     * The tensors to save, keyed by the suffix that follows the module name in a checkpoint, as bitsandbytes and
     * transformers name them: {@code "weight"}, {@code "weight.absmax"}, {@code "weight.quant_map"},
     * {@code "weight.nested_absmax"}, {@code "weight.nested_quant_map"},
     * {@code "weight.quant_state.bitsandbytes__nf4"} for 4-bit weights; {@code "weight"}, {@code "SCB"},
     * {@code "weight_format"} for LLM.int8.
     */
    Map<String, HostTensor> parts();

    /** Dequantizes rows {@code [row, row+count)} into {@code dst} (row-major, {@code count·in} floats). */
    void dequantizeRows(int row, int count, float[] dst);

    /**
     * The reference product {@code y[M, N] (+)= x[M, K]·Ŵᵀ} on host arrays, with Ŵ this weight's dequantized
     * value (and, for formats that define one, their own treatment of the input, like LLM.int8's outliers).
     */
    default void referenceLinear(float[] x, int m, float[] y, boolean accumulate) {
        int n = (int) shape().dim(0);
        int k = (int) shape().dim(1);
        float[] rowBuf = new float[k];
        for (int j = 0; j < n; j++) {
            dequantizeRows(j, 1, rowBuf);
            for (int i = 0; i < m; i++) {
                double acc = 0;
                for (int c = 0; c < k; c++) {
                    acc += (double) x[i * k + c] * rowBuf[c];
                }
                y[i * n + j] = (float) (accumulate ? y[i * n + j] + acc : acc);
            }
        }
    }

    /** The reference input gradient {@code dx[M, K] += dy[M, N]·Ŵ}. */
    default void referenceLinearBackwardInput(float[] dy, int m, float[] dx) {
        int n = (int) shape().dim(0);
        int k = (int) shape().dim(1);
        float[] rowBuf = new float[k];
        for (int j = 0; j < n; j++) {
            dequantizeRows(j, 1, rowBuf);
            for (int i = 0; i < m; i++) {
                float g = dy[i * n + j];
                if (g != 0f) {
                    for (int c = 0; c < k; c++) {
                        dx[i * k + c] += g * rowBuf[c];
                    }
                }
            }
        }
    }

    /**
     * This weight's storage in a well-known layout ({@link Blockwise4Bit}, {@link RowwiseInt8}), for backends with
     * fused kernels; empty when it has none of them.
     */
    default <L> Optional<L> layout(Class<L> type) {
        return Optional.empty();
    }

    /** Releases the buffers this tensor owns. */
    @Override
    void close();
}
