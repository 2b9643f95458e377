package org.daair.stream.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a large frame into equal, overlapping tiles and blends the restored tiles back with
 * feathered weights: inside an overlap each tile's weight ramps linearly to zero towards its own
 * edge, so neighbouring tiles cross-fade and no seam shows. Image borders are not feathered.
 * All tiles of a frame have the same size, so they run as one batch.
 */
public final class Tiler {

    private final int tile;
    private final int overlap;

    public Tiler(int tile, int overlap) {
        if (tile < 64 || overlap < 0 || overlap * 2 >= tile) {
            throw new IllegalArgumentException("need tile >= 64 and 0 <= overlap < tile/2 (tile " + tile + ", overlap " + overlap + ")");
        }
        this.tile = tile;
        this.overlap = overlap;
    }

    public boolean needsTiling(int w, int h) {
        return w > tile || h > tile;
    }

    /** Tile origins along one axis: equal tiles, consecutive ones overlapping by >= overlap. */
    static int[] origins(int size, int tile, int overlap) {
        if (size <= tile) {
            return new int[] {0};
        }
        int step = tile - overlap;
        int n = (int) Math.ceil((double) (size - tile) / step) + 1;
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            // spread evenly so every overlap is at least `overlap` and the last tile ends at the edge
            o[i] = (int) Math.round((double) i * (size - tile) / (n - 1));
        }
        return o;
    }

    public record Tiles(int tileW, int tileH, List<int[]> origins, float[] data) {
    }

    /** Cuts the frame into tiles, laid out as one N x 3 x th x tw batch. */
    public Tiles split(float[] rgb, int w, int h) {
        int tw = Math.min(tile, w);
        int th = Math.min(tile, h);
        List<int[]> origins = new ArrayList<>();
        for (int y : origins(h, tile, overlap)) {
            for (int x : origins(w, tile, overlap)) {
                origins.add(new int[] {x, y});
            }
        }
        float[] data = new float[origins.size() * 3 * tw * th];
        for (int i = 0; i < origins.size(); i++) {
            Planes.crop(rgb, w, h, origins.get(i)[0], origins.get(i)[1], tw, th, data, i * 3 * tw * th);
        }
        return new Tiles(tw, th, origins, data);
    }

    /** Blends restored tiles (same layout as {@link #split}) into a W x H frame. */
    public float[] merge(Tiles tiles, float[] restored, int w, int h) {
        int tw = tiles.tileW();
        int th = tiles.tileH();
        float[] acc = new float[3 * w * h];
        float[] wsum = new float[w * h];
        for (int i = 0; i < tiles.origins().size(); i++) {
            int x0 = tiles.origins().get(i)[0];
            int y0 = tiles.origins().get(i)[1];
            float[] wx = ramp(tw, x0 > 0, x0 + tw < w);
            float[] wy = ramp(th, y0 > 0, y0 + th < h);
            int base = i * 3 * tw * th;
            for (int y = 0; y < th; y++) {
                for (int x = 0; x < tw; x++) {
                    float wt = wx[x] * wy[y];
                    int p = (y0 + y) * w + x0 + x;
                    wsum[p] += wt;
                    for (int c = 0; c < 3; c++) {
                        acc[c * w * h + p] += wt * restored[base + c * tw * th + y * tw + x];
                    }
                }
            }
        }
        for (int p = 0; p < w * h; p++) {
            float inv = 1f / wsum[p];
            for (int c = 0; c < 3; c++) {
                acc[c * w * h + p] *= inv;
            }
        }
        return acc;
    }

    private float[] ramp(int n, boolean featherStart, boolean featherEnd) {
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            float v = 1f;
            if (featherStart && overlap > 0) {
                v = Math.min(v, (i + 1f) / (overlap + 1f));
            }
            if (featherEnd && overlap > 0) {
                v = Math.min(v, (n - i) / (overlap + 1f));
            }
            r[i] = v;
        }
        return r;
    }
}
