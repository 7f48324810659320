package dev.ibex.api.train;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A PNG decoder written from the specification for the tests, sharing no code with {@link PngEncoder}, so that a
 * round trip proves the encoder against the format rather than against itself. It reads only what the plot writes
 * (8-bit RGB, no interlace) but accepts all five scanline filters, and fails loudly on anything it does not expect.
 */
final class MinimalPngReader {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /**
     * A decoded image; {@code rgb[y * width + x]} is {@code 0xRRGGBB}. {@code chunkTypes} lists the chunks in file
     * order and {@code filterTypes} the scanline filters met, so tests can see what the encoder chose.
     */
    record Image(int width, int height, int[] rgb, List<String> chunkTypes, Set<Integer> filterTypes) {
        int at(int x, int y) {
            return rgb[y * width + x];
        }
    }

    private MinimalPngReader() {
    }

    static Image read(byte[] png) {
        ByteBuffer in = ByteBuffer.wrap(png); // big-endian, as PNG is
        byte[] signature = new byte[8];
        in.get(signature);
        check(Arrays.equals(signature, SIGNATURE), "bad PNG signature");

        List<String> types = new ArrayList<>();
        var idat = new ByteArrayOutputStream();
        int width = -1;
        int height = -1;
        while (in.hasRemaining()) {
            int length = in.getInt();
            check(length >= 0 && length <= in.remaining() - 8, "chunk length " + length + " overruns the file");
            byte[] type = new byte[4];
            in.get(type);
            byte[] data = new byte[length];
            in.get(data);
            int storedCrc = in.getInt();
            CRC32 crc = new CRC32();
            crc.update(type);
            crc.update(data);
            String name = new String(type, StandardCharsets.US_ASCII);
            check((int) crc.getValue() == storedCrc, "CRC mismatch in chunk " + name);
            types.add(name);
            switch (name) {
                case "IHDR" -> {
                    check(types.size() == 1, "IHDR must come first");
                    ByteBuffer h = ByteBuffer.wrap(data);
                    width = h.getInt();
                    height = h.getInt();
                    check(data[8] == 8 && data[9] == 2, "expected 8-bit RGB, got depth " + data[8] + " type " + data[9]);
                    check(data[10] == 0 && data[11] == 0 && data[12] == 0, "unexpected compression/filter/interlace");
                }
                case "IDAT" -> idat.writeBytes(data);
                case "IEND" -> check(!in.hasRemaining(), "bytes after IEND");
                default -> check(Character.isLowerCase(name.charAt(0)), "unknown critical chunk " + name);
            }
        }
        check(!types.isEmpty() && types.getLast().equals("IEND"), "missing IEND");
        check(width > 0 && height > 0, "missing IHDR");
        Set<Integer> filters = new TreeSet<>();
        int[] rgb = unfilter(inflate(idat.toByteArray()), width, height, filters);
        return new Image(width, height, rgb, List.copyOf(types), Set.copyOf(filters));
    }

    private static byte[] inflate(byte[] zlib) {
        Inflater inflater = new Inflater(); // expects the zlib header and Adler-32 trailer PNG mandates
        try {
            inflater.setInput(zlib);
            var out = new ByteArrayOutputStream();
            byte[] buf = new byte[16 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                check(n > 0 || !inflater.needsInput(), "truncated zlib stream");
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new AssertionError("corrupt zlib stream: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static int[] unfilter(byte[] data, int width, int height, Set<Integer> filters) {
        int bpp = 3;
        int stride = width * bpp;
        check(data.length == (long) height * (stride + 1), "expected " + height * (stride + 1L)
                + " bytes of scanlines, got " + data.length);
        int[] prior = new int[stride];
        int[] line = new int[stride];
        int[] rgb = new int[width * height];
        for (int y = 0; y < height; y++) {
            int base = y * (stride + 1);
            int filter = data[base];
            filters.add(filter);
            for (int i = 0; i < stride; i++) {
                int raw = data[base + 1 + i] & 0xff;
                int a = i >= bpp ? line[i - bpp] : 0;
                int b = prior[i];
                int c = i >= bpp ? prior[i - bpp] : 0;
                int predictor = switch (filter) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) >>> 1;
                    case 4 -> paeth(a, b, c);
                    default -> throw new AssertionError("bad filter type " + filter + " on line " + y);
                };
                line[i] = (raw + predictor) & 0xff;
            }
            for (int x = 0; x < width; x++) {
                rgb[y * width + x] = line[3 * x] << 16 | line[3 * x + 1] << 8 | line[3 * x + 2];
            }
            int[] swap = prior;
            prior = line;
            line = swap;
        }
        return rgb;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
