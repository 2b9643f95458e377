package org.daair.stream.cli.preview;

import java.util.Map;

/**
 * A 5x7 pixel font with just the letters of "INPUT" and "RESTORED": the labels are drawn into the
 * frames themselves, and AWT's text rendering needs system fonts that headless servers and
 * containers often lack.
 */
final class LabelFont {

    static final int GLYPH_W = 5;
    static final int GLYPH_H = 7;

    private static final Map<Character, String[]> GLYPHS = Map.of(
            'I', new String[] {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####"},
            'N', new String[] {"#...#", "##..#", "##..#", "#.#.#", "#..##", "#..##", "#...#"},
            'P', new String[] {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."},
            'U', new String[] {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
            'T', new String[] {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},
            'R', new String[] {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"},
            'E', new String[] {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},
            'S', new String[] {".####", "#....", "#....", ".###.", "....#", "....#", "####."},
            'O', new String[] {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
            'D', new String[] {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."});

    private LabelFont() {
    }

    /** Width in font pixels of {@code text} (one blank column between letters). */
    static int width(String text) {
        return text.length() * (GLYPH_W + 1) - 1;
    }

    /** True when font pixel (x, y) of {@code text} is ink. */
    static boolean ink(String text, int x, int y) {
        int letter = x / (GLYPH_W + 1);
        int col = x % (GLYPH_W + 1);
        if (x < 0 || letter >= text.length() || col >= GLYPH_W || y < 0 || y >= GLYPH_H) {
            return false;
        }
        String[] g = GLYPHS.get(text.charAt(letter));
        if (g == null) {
            throw new IllegalArgumentException("no glyph for '" + text.charAt(letter) + "'");
        }
        return g[y].charAt(col) == '#';
    }
}
