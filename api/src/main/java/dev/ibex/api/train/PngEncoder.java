package dev.ibex.api.train;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Encodes an RGB image as a PNG (ISO/IEC 15948): signature, {@code IHDR} (8-bit truecolour, no interlace), one
 * {@code IDAT} of zlib-deflated scanlines, {@code IEND}. Written here rather than taken from {@code javax.imageio}
 * because that lives in {@code java.desktop}, which the jlink image leaves out.
 */
final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int BYTES_PER_PIXEL = 3;
    private static final int FILTER_NONE = 0;
    private static final int FILTER_SUB = 1;
    private static final int FILTER_UP = 2;

    private PngEncoder() {
    }

    /**
     * The PNG bytes of a {@code width × height} image whose pixel {@code (x, y)} is {@code rgb[y * width + x]} as
     * {@code 0xRRGGBB} (higher bits ignored).
     */
    static byte[] encode(int width, int height, int[] rgb) {
        if (width <= 0 || height <= 0 || rgb.length != (long) width * height) {
            throw new IllegalArgumentException(
                    "image of " + width + "×" + height + " needs " + (long) width * height + " pixels, got " + rgb.length);
        }
        var out = new ByteArrayOutputStream(64 * 1024);
        out.writeBytes(SIGNATURE);

        byte[] header = new byte[13];
        putInt(header, 0, width);
        putInt(header, 4, height);
        header[8] = 8; // bits per sample
        header[9] = 2; // colour type 2: RGB triples
        // compression 0 (deflate), filter method 0 (adaptive, five types), interlace 0: already zero
        chunk(out, "IHDR", header);
        chunk(out, "IDAT", deflate(filteredScanlines(width, height, rgb)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /**
     * Every scanline prefixed by its filter byte. Per line we keep whichever of None, Sub and Up has the smallest
     * sum of absolute (signed) residuals, the heuristic the PNG specification recommends: plots are mostly flat
     * colour, so Sub turns horizontal runs and Up turns vertical repeats into zeros that deflate well.
     */
    private static byte[] filteredScanlines(int width, int height, int[] rgb) {
        int stride = width * BYTES_PER_PIXEL;
        byte[] out = new byte[height * (stride + 1)];
        byte[] previous = new byte[stride]; // the line above the first is defined as zeros
        byte[] current = new byte[stride];
        byte[][] candidates = {new byte[stride], new byte[stride], new byte[stride]};
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = rgb[y * width + x];
                current[x * 3] = (byte) (p >>> 16);
                current[x * 3 + 1] = (byte) (p >>> 8);
                current[x * 3 + 2] = (byte) p;
            }
            int best = FILTER_NONE;
            long bestCost = Long.MAX_VALUE;
            for (int type = FILTER_NONE; type <= FILTER_UP; type++) {
                long cost = filter(type, current, previous, candidates[type]);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = type;
                }
            }
            int at = y * (stride + 1);
            out[at] = (byte) best;
            System.arraycopy(candidates[best], 0, out, at + 1, stride);
            byte[] swap = previous;
            previous = current;
            current = swap;
        }
        return out;
    }

    /** Writes line {@code raw} filtered with {@code type} into {@code into}; returns its cost. */
    private static long filter(int type, byte[] raw, byte[] above, byte[] into) {
        long cost = 0;
        for (int i = 0; i < raw.length; i++) {
            int predictor = switch (type) {
                case FILTER_SUB -> i >= BYTES_PER_PIXEL ? raw[i - BYTES_PER_PIXEL] : 0;
                case FILTER_UP -> above[i];
                default -> 0;
            };
            byte residual = (byte) (raw[i] - predictor);
            into[i] = residual;
            cost += Math.abs(residual);
        }
        return cost;
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION); // zlib wrapper, as PNG requires
        try {
            deflater.setInput(data);
            deflater.finish();
            var out = new ByteArrayOutputStream(data.length / 8 + 64);
            byte[] buf = new byte[32 * 1024];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** Length, type, data, and a CRC-32 over type and data. */
    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        byte[] four = new byte[4];
        putInt(four, 0, data.length);
        out.writeBytes(four);
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        putInt(four, 0, (int) crc.getValue());
        out.writeBytes(four);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
