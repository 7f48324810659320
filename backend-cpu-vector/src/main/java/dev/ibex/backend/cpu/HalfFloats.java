package dev.ibex.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
     * NaN) gets all exponent bits set instead. The exponent-31 test is arithmetic (bit 28 of {@code mag + 2^23},
     * spread by an arithmetic shift) because compare-and-blend made the whole decode 2.5× slower here.
     */
    static FloatVector f16(IntVector top) {
        IntVector sign = top.and(0x80000000);
        IntVector magnitude = top.and(0x7fff0000).lanewise(VectorOperators.LSHR, 3);
        IntVector scaled = magnitude.reinterpretAsFloats().mul(TWO_POW_112).reinterpretAsInts();
        IntVector infOrNaN = magnitude.add(0x00800000).lanewise(VectorOperators.LSHL, 3).lanewise(VectorOperators.ASHR, 31);
        return scaled.or(infOrNaN.and(0x7f800000)).or(sign).reinterpretAsFloats();
    }

    /**
     * F16 to F32 for finite values only, in three operations: an arithmetic shift puts the exponent and mantissa
     * in F32 position and keeps the sign, and the 2^112 multiply fixes the bias (and normalises subnormals).
     * Bits 15..0 of the lane are ignored, so the odd element of a pair-packed lane needs no masking. Exponent 31
     * comes out finite and wrong: callers check {@link #specials} and take an exact path when it is set.
     */
    static FloatVector f16Finite(IntVector top) {
        return top.lanewise(VectorOperators.ASHR, 3).and(0x8fffe000).reinterpretAsFloats().mul(TWO_POW_112);
    }

    /**
     * Accumulates, for pair-packed F16 lanes, a flag that is set (bit 15 or 31 of some lane) once any element has
     * exponent 31: the exponent field plus one carries into the next bit only at 31, never into the other half.
     */
    static IntVector specials(IntVector flags, IntVector pairs) {
        return flags.or(pairs.and(0x7c007c00).add(0x04000400));
    }

    /** Whether {@link #specials} saw an infinity or NaN. */
    static boolean anySpecial(IntVector flags) {
        return (flags.reduceLanes(VectorOperators.OR) & 0x80008000) != 0;
    }
}
