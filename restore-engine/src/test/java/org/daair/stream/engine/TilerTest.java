package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TilerTest {

    @Test
    void originsCoverTheFrameWithTheRequiredOverlap() {
        int[] o = Tiler.origins(1000, 256, 32);
        assertEquals(0, o[0]);
        assertEquals(1000 - 256, o[o.length - 1]);
        for (int i = 1; i < o.length; i++) {
            assertTrue(o[i - 1] + 256 - o[i] >= 32, "overlap at " + i);
        }
    }

    @Test
    void identityRestorationIsReconstructedExactly() {
        Random r = new Random(1);
        int w = 300;
        int h = 170;
        float[] img = new float[3 * w * h];
        for (int i = 0; i < img.length; i++) {
            img[i] = r.nextFloat();
        }
        Tiler t = new Tiler(128, 24);
        Tiler.Tiles tiles = t.split(img, w, h);
        float[] back = t.merge(tiles, tiles.data(), w, h);
        assertArrayEquals(img, back, 1e-6f);
    }
}
