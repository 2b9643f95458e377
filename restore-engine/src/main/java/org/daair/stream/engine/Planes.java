package org.daair.stream.engine;

/** Copies between planar RGB images (C x H x W floats). */
final class Planes {
    private Planes() {
    }

    /** Copies the w x h window at (x0, y0) of a W x H image into dst at offset. */
    static void crop(float[] src, int srcW, int srcH, int x0, int y0, int w, int h, float[] dst, int offset) {
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, c * srcW * srcH + (y0 + y) * srcW + x0, dst, offset + c * w * h + y * w, w);
            }
        }
    }
}
