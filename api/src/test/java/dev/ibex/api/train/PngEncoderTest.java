package dev.ibex.api.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PngEncoderTest {
    /** Noise on top, then flat runs, then repeated rows: each favours a different scanline filter. */
    private static int[] mixedImage(int width, int height) {
        int[] rgb = new int[width * height];
        Random random = new Random(42);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                rgb[y * width + x] = y < height / 3 ? random.nextInt(1 << 24) // noise: no filter helps
                        : y < 2 * height / 3 ? (x * 7 & 0xff) << 16 | 0x00a0ff // gradient: Sub predicts it
                        : (x * 31 + 17) * 2654435 & 0xffffff; // identical rows: Up predicts them
            }
        }
        return rgb;
    }

    @Test
    void roundTripsEveryPixelThroughAnIndependentDecoder() {
        int[] rgb = mixedImage(37, 30);
        MinimalPngReader.Image image = MinimalPngReader.read(PngEncoder.encode(37, 30, rgb));
        assertEquals(37, image.width());
        assertEquals(30, image.height());
        assertArrayEquals(rgb, image.rgb());
        assertEquals(List.of("IHDR", "IDAT", "IEND"), image.chunkTypes());
        assertTrue(image.filterTypes().containsAll(List.of(1, 2)),
                "Sub and Up should win on gradient and repeated rows, got " + image.filterTypes());
    }

    @Test
    void ignoresBitsAboveTheColour() {
        int[] argb = {0xff123456, 0x00abcdef};
        assertArrayEquals(new int[] {0x123456, 0xabcdef}, MinimalPngReader.read(PngEncoder.encode(2, 1, argb)).rgb());
    }

    @Test
    void encodesASinglePixel() {
        MinimalPngReader.Image image = MinimalPngReader.read(PngEncoder.encode(1, 1, new int[] {0x0080ff}));
        assertEquals(0x0080ff, image.at(0, 0));
    }

    @Test
    void compressesAFlatPlotSizedImageToAFewKilobytes() {
        int[] white = new int[800 * 480];
        Arrays.fill(white, 0xffffff);
        byte[] png = PngEncoder.encode(800, 480, white);
        assertTrue(png.length < 4096, "a blank 800×480 image took " + png.length + " bytes");
    }

    @Test
    void eachChunkCarriesACrcTheDecoderChecks() {
        byte[] png = PngEncoder.encode(4, 4, mixedImage(4, 4));
        int idatData = 8 + (4 + 4 + 13 + 4) + 8; // signature, whole IHDR chunk, IDAT length and type
        png[idatData] ^= 0x01;
        AssertionError e = assertThrows(AssertionError.class, () -> MinimalPngReader.read(png));
        assertTrue(e.getMessage().contains("CRC mismatch in chunk IDAT"), e.getMessage());
    }

    @Test
    void refusesAPixelCountThatDoesNotMatchTheSize() {
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(3, 3, new int[8]));
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(0, 3, new int[0]));
    }
}
