package dev.ibex.api.train;

import java.util.Arrays;

/**
 * An RGB pixel buffer with the few drawing operations a line chart needs: filled rectangles, lines with a square
 * pen, and {@link BitmapFont} text. Everything outside the buffer is silently clipped, so callers may draw shapes
 * that hang over an edge. No anti-aliasing: crisp single-colour pixels keep the PNG small and the tests exact.
 */
final class PlotCanvas {
    final int width;
    final int height;
    private final int[] rgb;

    PlotCanvas(int width, int height, int background) {
        this.width = width;
        this.height = height;
        this.rgb = new int[width * height];
        Arrays.fill(rgb, background);
    }

    void set(int x, int y, int color) {
        if (x >= 0 && x < width && y >= 0 && y < height) {
            rgb[y * width + x] = color;
        }
    }

    int get(int x, int y) {
        return rgb[y * width + x];
    }

    /** Fills {@code w × h} pixels from {@code (x, y)}, clipped to the canvas. */
    void fill(int x, int y, int w, int h, int color) {
        int x0 = Math.max(0, x);
        int y0 = Math.max(0, y);
        int x1 = Math.min(width, x + w);
        int y1 = Math.min(height, y + h);
        for (int j = y0; j < y1; j++) {
            Arrays.fill(rgb, j * width + x0, Math.max(j * width + x0, j * width + x1), color);
        }
    }

    /** A one-pixel outline of the rectangle {@code w × h} at {@code (x, y)}. */
    void outline(int x, int y, int w, int h, int color) {
        fill(x, y, w, 1, color);
        fill(x, y + h - 1, w, 1, color);
        fill(x, y, 1, h, color);
        fill(x + w - 1, y, 1, h, color);
    }

    /**
     * A line from {@code (x0, y0)} to {@code (x1, y1)} (rounded to pixel centres) drawn with a square pen of side
     * {@code pen}, by Bresenham's algorithm so that every step touches exactly one new pixel column or row.
     */
    void line(double x0, double y0, double x1, double y1, int color, int pen) {
        int ax = (int) Math.round(x0);
        int ay = (int) Math.round(y0);
        int bx = (int) Math.round(x1);
        int by = (int) Math.round(y1);
        int dx = Math.abs(bx - ax);
        int dy = -Math.abs(by - ay);
        int sx = ax < bx ? 1 : -1;
        int sy = ay < by ? 1 : -1;
        int err = dx + dy;
        int back = (pen - 1) / 2; // a pen of 2 covers the pixel and its right/lower neighbour
        while (true) {
            fill(ax - back, ay - back, pen, pen, color);
            if (ax == bx && ay == by) {
                return;
            }
            int e2 = 2 * err;
            if (e2 >= dy) {
                err += dy;
                ax += sx;
            }
            if (e2 <= dx) {
                err += dx;
                ay += sy;
            }
        }
    }

    /** A filled square of side {@code size} centred on {@code (x, y)}. */
    void marker(double x, double y, int size, int color) {
        fill((int) Math.round(x) - size / 2, (int) Math.round(y) - size / 2, size, size, color);
    }

    /** {@code text} with its top-left corner at {@code (x, y)}, each font pixel drawn as {@code scale × scale}. */
    void text(int x, int y, String text, int color, int scale) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int left = x + i * BitmapFont.ADVANCE * scale;
            for (int gy = 0; gy < BitmapFont.GLYPH_HEIGHT; gy++) {
                for (int gx = 0; gx < BitmapFont.GLYPH_WIDTH; gx++) {
                    if (BitmapFont.ink(c, gx, gy)) {
                        fill(left + gx * scale, y + gy * scale, scale, scale, color);
                    }
                }
            }
        }
    }

    /** How many pixels of the rectangle (clipped to the canvas) differ from both {@code ignoredA} and {@code ignoredB}. */
    int inkIn(int x, int y, int w, int h, int ignoredA, int ignoredB) {
        int count = 0;
        for (int j = Math.max(0, y); j < Math.min(height, y + h); j++) {
            for (int i = Math.max(0, x); i < Math.min(width, x + w); i++) {
                int p = rgb[j * width + i];
                if (p != ignoredA && p != ignoredB) {
                    count++;
                }
            }
        }
        return count;
    }

    byte[] toPng() {
        return PngEncoder.encode(width, height, rgb);
    }
}
