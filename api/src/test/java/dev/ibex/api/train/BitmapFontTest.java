package dev.ibex.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BitmapFontTest {
    private static String picture(char c) {
        var sb = new StringBuilder();
        for (int y = 0; y < BitmapFont.GLYPH_HEIGHT; y++) {
            for (int x = 0; x < BitmapFont.GLYPH_WIDTH; x++) {
                sb.append(BitmapFont.ink(c, x, y) ? '#' : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static boolean rowHasInk(char c, int y) {
        for (int x = 0; x < BitmapFont.GLYPH_WIDTH; x++) {
            if (BitmapFont.ink(c, x, y)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyPrintableCharacterButSpaceHasItsOwnGlyph() {
        assertEquals(".....\n".repeat(8), picture(' '));
        Map<String, Character> seen = new HashMap<>();
        for (char c = '!'; c <= '~'; c++) {
            String glyph = picture(c);
            assertTrue(glyph.contains("#"), "no ink in '" + c + "'");
            Character twin = seen.put(glyph, c);
            assertEquals(null, twin, "'" + c + "' looks exactly like '" + twin + "'");
        }
    }

    @Test
    void drawsTheLettersAndDigitsOfTheLabelsAsDesigned() {
        assertEquals("""
                .###.
                #...#
                #...#
                #####
                #...#
                #...#
                #...#
                .....
                """, picture('A'));
        assertEquals("""
                .....
                .....
                .####
                #...#
                #...#
                .####
                ....#
                .###.
                """, picture('g'));
    }

    @Test
    void capitalsAndDigitsShareCapHeightAndBaseline() {
        for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray()) {
            assertTrue(rowHasInk(c, 0) && rowHasInk(c, 6), "'" + c + "' does not span rows 0 to 6");
            assertFalse(rowHasInk(c, 7), "'" + c + "' reaches into the descender row");
        }
    }

    @Test
    void onlyDescendersUseTheBottomRow() {
        List<Character> descenders = List.of('g', 'j', 'p', 'q', 'y', ',', '_');
        for (char c = ' '; c <= '~'; c++) {
            assertEquals(descenders.contains(c), rowHasInk(c, 7), "descender row of '" + c + "'");
        }
    }

    @Test
    void showsCharactersOutsideAsciiAsQuestionMarks() {
        assertEquals(picture('?'), picture('é'));
        assertEquals(picture('?'), picture('\t'));
    }

    @Test
    void measuresTextWithoutTheTrailingSpace() {
        assertEquals(0, BitmapFont.width("", 2));
        assertEquals(5, BitmapFont.width("x", 1));
        assertEquals(17 * 2, BitmapFont.width("abc", 2));
        assertEquals(16, BitmapFont.height(2));
    }
}
