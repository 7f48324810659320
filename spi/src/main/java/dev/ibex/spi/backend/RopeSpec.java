package dev.ibex.spi.backend;

/**
 * The rotary embedding of one model.
 *
 * @param headDim       size of each head
 * @param invFreq       the inverse frequencies {@code θ^(-2i/d)}, {@code rotaryDim/2} of them, in F32 as HF
 *                      computes them
 * @param positionScale linear RoPE scaling: positions are divided by it (1 = none)
 */
public record RopeSpec(int headDim, float[] invFreq, float positionScale) {

    public RopeSpec {
        invFreq = invFreq.clone(); // a record's array is shared state; keep ours private
    }

    @Override
    public float[] invFreq() {
        return invFreq.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RopeSpec r && r.headDim == headDim && Float.compare(r.positionScale, positionScale) == 0
                && java.util.Arrays.equals(r.invFreq, invFreq);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(headDim, positionScale, java.util.Arrays.hashCode(invFreq));
    }

    @Override
    public String toString() {
        return "RopeSpec[headDim=" + headDim + ", rotaryDim=" + rotaryDim() + ", positionScale=" + positionScale + "]";
    }

    /** Dimensions per head that rotate (the rest pass through). */
    public int rotaryDim() {
        return invFreq.length * 2;
    }

    /**
     * HF's {@code inv_freq = 1 / (theta ** (arange(0, dim, 2).float() / dim))}, evaluated in F32 like torch.
     */
    public static RopeSpec standard(int headDim, int rotaryDim, double theta, float positionScale) {
        float[] inv = new float[rotaryDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) rotaryDim;
            float pow = (float) Math.pow((float) theta, exponent);
            inv[i] = 1.0f / pow;
        }
        return new RopeSpec(headDim, inv, positionScale);
    }
}
