package org.daair.stream.cli.preview;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds one preview picture from an input frame and its restored version (planar RGB, as in
 * {@link org.daair.stream.common.Frame}): where each goes, the divider, and the small
 * "INPUT" / "RESTORED" labels in the top-left corner of each part.
 */
public final class PreviewLayout {

    /** A rectangle in the preview picture, in pixels. */
    public record Rect(int x, int y, int width, int height) {
        public boolean contains(int px, int py) {
            return px >= x && px < x + width && py >= y && py < y + height;
        }
    }

    private static final float LABEL_BACKGROUND = 0.35f; // the picture under a label is darkened to this
    private final PreviewMode mode;

    public PreviewLayout(PreviewMode mode) {
        this.mode = mode;
    }

    public PreviewMode mode() {
        return mode;
    }

    /** Width of the preview of a {@code width}-wide input. */
    public int width(int width) {
        return mode == PreviewMode.SIDE_BY_SIDE ? 2 * width : width;
    }

    /** Left edge, in the preview, of the restored part (the input part starts at 0). */
    public int restoredX(int width) {
        return mode == PreviewMode.SIDE_BY_SIDE ? width : width / 2;
    }

    /** Large frames get proportionally larger labels and divider (one font pixel per 360 lines). */
    private static int scale(int height) {
        return Math.max(1, height / 360);
    }

    /** The divider between the parts (split only; side by side, the frame edges separate them). */
    private Rect divider(int width, int height) {
        if (mode != PreviewMode.SPLIT) {
            return null;
        }
        int s = scale(height);
        return new Rect(width / 2 - s, 0, 2 * s, height);
    }

    /** The label box at the top-left of a part starting at {@code x0}, {@code partWidth} wide, or null when it does not fit. */
    private static Rect labelBox(String text, int x0, int partWidth, int height) {
        int s = scale(height);
        int pad = 2 * s;
        int margin = 4 * s;
        int w = LabelFont.width(text) * s + 2 * pad;
        int h = LabelFont.GLYPH_H * s + 2 * pad;
        if (w + 2 * margin > partWidth || h + 2 * margin > height / 2) {
            return null; // a tiny frame: a label would hide most of it
        }
        return new Rect(x0 + margin, margin, w, h);
    }

    /**
     * Everything drawn over the pictures (labels, divider) for a {@code width} x {@code height}
     * input, in preview coordinates: elsewhere the preview holds the input's and the restored
     * frame's pixels unchanged.
     */
    public List<Rect> overlays(int width, int height) {
        List<Rect> out = new ArrayList<>();
        Rect d = divider(width, height);
        if (d != null) {
            out.add(d);
        }
        int rx = restoredX(width);
        int leftW = mode == PreviewMode.SIDE_BY_SIDE ? width : (d != null ? d.x() : rx);
        int rightX = d != null ? d.x() + d.width() : rx;
        int rightW = width(width) - rightX;
        for (Rect r : new Rect[] {labelBox("INPUT", 0, leftW, height), labelBox("RESTORED", rightX, rightW, height)}) {
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The preview picture.
     *
     * @param input    the input frame as 8-bit RGB planes ({@link OriginalFrames} keeps them so)
     * @param restored the restored frame, planar floats in [0, 1]
     */
    public float[] compose(byte[] input, float[] restored, int width, int height) {
        int outW = width(width);
        int plane = width * height;
        int outPlane = outW * height;
        float[] out = new float[3 * outPlane];
        int rx = restoredX(width);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                int src = c * plane + y * width;
                int dst = c * outPlane + y * outW;
                if (mode == PreviewMode.SIDE_BY_SIDE) {
                    for (int x = 0; x < width; x++) {
                        out[dst + x] = (input[src + x] & 0xFF) / 255f;
                    }
                    System.arraycopy(restored, src, out, dst + width, width);
                } else {
                    for (int x = 0; x < rx; x++) {
                        out[dst + x] = (input[src + x] & 0xFF) / 255f;
                    }
                    System.arraycopy(restored, src + rx, out, dst + rx, width - rx);
                }
            }
        }
        drawOverlays(out, width, height);
        return out;
    }

    private void drawOverlays(float[] out, int width, int height) {
        int outW = width(width);
        int outPlane = outW * height;
        int s = scale(height);
        Rect d = divider(width, height);
        for (Rect r : overlays(width, height)) {
            boolean isDivider = r.equals(d);
            String text = r.x() < restoredX(width) ? "INPUT" : "RESTORED";
            for (int y = r.y(); y < r.y() + r.height(); y++) {
                for (int x = r.x(); x < r.x() + r.width(); x++) {
                    // font pixels start after the box's padding (2 * s); floorDiv keeps the padding blank
                    boolean ink = !isDivider && LabelFont.ink(text, Math.floorDiv(x - r.x() - 2 * s, s),
                            Math.floorDiv(y - r.y() - 2 * s, s));
                    for (int c = 0; c < 3; c++) {
                        int i = c * outPlane + y * outW + x;
                        out[i] = isDivider || ink ? 1f : out[i] * LABEL_BACKGROUND;
                    }
                }
            }
        }
    }
}
