package dev.ibex.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector decoding of BF16 and F16 weights to F32, exact for every value (subnormals, infinities, NaN included).
 *
 * <p>Both decoders take an int lane whose top 16 bits hold the 16-bit value and whose low 16 bits are zero: a
 * little-endian int loaded over two 16-bit weights yields the even one as {@code v << 16} and the odd one as
 * {@code v & 0xffff0000}, which is how the GEMV reads sixteen weights per 256-bit load without any lane shuffle
 * (the input vector is permuted to match once per call instead).
 */
final class HalfFloats {
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final float TWO_POW_112 = 0x1p112f;

    private HalfFloats() {
    }

    /** The even elements of the pair-packed lanes, in the top half of each lane. */
    static IntVector even(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16);
    }

    /** The odd elements of the pair-packed lanes, in the top half of each lane. */
    static IntVector odd(IntVector pairs) {
        return pairs.and(0xffff0000);
    }

    /** BF16 is the top half of an F32: decoding is a reinterpretation. */
    static FloatVector bf16(IntVector top) {
        return top.reinterpretAsFloats();
    }

    /**
     * F16 to F32: shift exponent and mantissa into F32 position, then scale by 2^(127-15) so that the exponent
     * bias is right; the same multiply turns F16 subnormals into the right F32 normals. Exponent 31 (infinity,
     * NaN) is forced to 255 instead.
     */
    static FloatVector f16(IntVector top) {
        IntVector sign = top.and(0x80000000);
        IntVector magnitude = top.and(0x7fff0000).lanewise(VectorOperators.LSHR, 3);
        IntVector scaled = magnitude.reinterpretAsFloats().mul(TWO_POW_112).reinterpretAsInts();
        VectorMask<Integer> infOrNaN = magnitude.compare(VectorOperators.GE, 0x0f800000);
        IntVector bits = scaled.blend(magnitude.or(0x7f800000), infOrNaN);
        return bits.or(sign).reinterpretAsFloats();
    }
}
