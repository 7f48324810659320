package dev.ibex.quant.int8;

/**
 * The arithmetic of LLM.int8 as bitsandbytes implements it ({@code int8_vectorwise_quant}): vector-wise absmax
 * quantization to int8, for weights (per output row) and for inputs (per token, with outlier features set aside).
 */
final class LlmInt8 {
    private LlmInt8() {
    }

    /**
     * One row of int8 codes: {@code rint(v · (127 / absmax))}, the factor and the product in float32, ties to
     * even; all zeros when the absmax is 0.
     *
     * @return the absmax of the row
     */
    static float quantizeRow(float[] values, int from, int count, byte[] codes, int codesFrom) {
        float absmax = 0f;
        for (int c = 0; c < count; c++) {
            absmax = Math.max(absmax, Math.abs(values[from + c]));
        }
        if (absmax == 0f) {
            java.util.Arrays.fill(codes, codesFrom, codesFrom + count, (byte) 0);
            return 0f;
        }
        float factor = 127f / absmax;
        for (int c = 0; c < count; c++) {
            codes[codesFrom + c] = (byte) Math.rint(values[from + c] * factor);
        }
        return absmax;
    }

    /**
     * An input quantized for the int8 product.
     *
     * @param outlier per input feature: multiplied in floating point (its codes are 0)
     * @param codes   {@code [m, k]} int8 codes (as ints)
     * @param scales  per row, the absmax the codes are relative to
     */
    record Input(boolean[] outlier, int[] codes, float[] scales) {
    }

    /**
     * Splits {@code x [m, k]} as LLM.int8 does: features where any row reaches {@code |x| ≥ threshold} are outliers
     * (none when the threshold is 0); each row's scale is its largest magnitude below the threshold; codes in outlier
     * columns are dropped.
     */
    static Input quantizeInput(float[] x, int m, int k, float threshold) {
        boolean[] outlier = new boolean[k];
        if (threshold > 0) {
            for (int i = 0; i < m * k; i++) {
                if (Math.abs(x[i]) >= threshold) {
                    outlier[i % k] = true;
                }
            }
        }
        int[] codes = new int[m * k];
        float[] scales = new float[m];
        for (int i = 0; i < m; i++) {
            float absmax = 0f;
            for (int c = 0; c < k; c++) {
                float a = Math.abs(x[i * k + c]);
                if (threshold <= 0 || a < threshold) {
                    absmax = Math.max(absmax, a);
                }
            }
            scales[i] = absmax;
            if (absmax == 0f) {
                continue;
            }
            float factor = 127f / absmax;
            for (int c = 0; c < k; c++) {
                if (!outlier[c]) {
                    codes[i * k + c] = (int) Math.rint(x[i * k + c] * factor);
                }
            }
        }
        return new Input(outlier, codes, scales);
    }
}
