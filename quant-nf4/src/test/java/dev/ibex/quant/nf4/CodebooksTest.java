package dev.ibex.quant.nf4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ibex.spi.conformance.RawFixture;
import org.junit.jupiter.api.Test;

/** The code tables, value by value. */
class CodebooksTest {
    private static RawFixture fixture(String name) {
        return RawFixture.of(p -> CodebooksTest.class.getResourceAsStream(p), name);
    }


    /** SPEC §5's table, typed in from bitsandbytes' {@code get_4bit_type("nf4")}. */
    @Test
    void nf4HasTheSixteenPublishedValues() {
        float[] expected = {-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
                -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f,
                0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f,
                0.5626170039176941f, 0.7229568362236023f, 1.0f};
        assertArrayEquals(expected, FourBitType.NF4.code());
        assertArrayEquals(fixture("tables").floats("nf4"), FourBitType.NF4.code());
    }

    @Test
    void fp4IsE2M1WithTheSignInBitThreeOverTwelve() {
        float[] magnitudes = {0, 0.0625f, 8, 12, 4, 6, 2, 3};
        float[] code = FourBitType.FP4.code();
        for (int i = 0; i < 8; i++) {
            assertEquals(magnitudes[i] / 12f, code[i], "fp4 code " + i);
            assertEquals(-magnitudes[i] / 12f, code[i + 8], "fp4 code " + (i + 8));
        }
        assertArrayEquals(fixture("tables").floats("fp4"), code);
    }

    /** The table is computed from bnb's formula here and with torch there; they must agree bit for bit. */
    @Test
    void dynamicMapEqualsTheReferenceBitForBit() {
        float[] map = Codebooks.dynamicMap();
        assertEquals(256, map.length);
        assertArrayEquals(fixture("tables").floats("dynamic_map"), map);
        assertEquals(1f, map[255]);
        assertEquals(0f, map[127]);
        assertEquals(-0.99296875f, map[0], 1e-7f);
    }

    @Test
    void nearestCodeTiesGoToTheLowerCode() {
        float[] mid = Codebooks.midpoints(Codebooks.NF4);
        for (int i = 0; i < mid.length; i++) {
            assertEquals(i, FourBitType.NF4.encode(mid[i]), "at the point between codes " + i + " and " + (i + 1));
            assertEquals(i + 1, FourBitType.NF4.encode(Math.nextUp(mid[i])), "just above it");
        }
        assertEquals(0, FourBitType.NF4.encode(-1f));
        assertEquals(7, FourBitType.NF4.encode(0f));
        assertEquals(15, FourBitType.NF4.encode(1f));
    }

    /** bitsandbytes' FP4 rule: any negative value sets the sign bit, so a tiny negative value is -0 (code 8). */
    @Test
    void fp4TakesTheSignFromTheValue() {
        assertEquals(0b0000, FourBitType.FP4.encode(0f));
        assertEquals(0b1000, FourBitType.FP4.encode(-1e-6f));
        assertEquals(0b0011, FourBitType.FP4.encode(1f));
        assertEquals(0b1011, FourBitType.FP4.encode(-1f));
        assertEquals(0b0100, FourBitType.FP4.encode(4f / 12));
        assertEquals(0b0001, FourBitType.FP4.encode(0.004f));
    }
}
