package org.daair.stream.engine;

import org.daair.stream.common.Frame;

/**
 * Degradation classifier: the encoder half of DaAIR with its routers' mean vote. It looks at
 * native-resolution crops rather than a downscaled frame, because downscaling averages away noise
 * and thin rain streaks, the very things it must see; four crops keep it cheap on any frame size.
 */
public final class Classifier implements AutoCloseable {

    static final int CROP = 128;

    private final OnnxGraph graph;
    private final int classes;

    public Classifier(OnnxGraph graph, int classes) {
        this.graph = graph;
        this.classes = classes;
    }

    /** Class probabilities (mean over the crops) in expert order. */
    public float[] probabilities(Frame f) {
        int w = f.width();
        int h = f.height();
        int cw = Math.min(CROP, w);
        int ch = Math.min(CROP, h);
        int[][] origins = (w <= 2 * CROP && h <= 2 * CROP)
                ? new int[][] {{(w - cw) / 2, (h - ch) / 2}}
                : new int[][] {{w / 4 - cw / 2, h / 4 - ch / 2}, {3 * w / 4 - cw / 2, h / 4 - ch / 2},
                        {w / 4 - cw / 2, 3 * h / 4 - ch / 2}, {3 * w / 4 - cw / 2, 3 * h / 4 - ch / 2}};
        int n = origins.length;
        float[] batch = new float[n * 3 * cw * ch];
        for (int i = 0; i < n; i++) {
            int x0 = Math.max(0, Math.min(w - cw, origins[i][0]));
            int y0 = Math.max(0, Math.min(h - ch, origins[i][1]));
            Planes.crop(f.rgb(), w, h, x0, y0, cw, ch, batch, i * 3 * cw * ch);
        }
        OnnxGraph.Output out = graph.run(batch, n, 3, ch, cw);
        float[] mean = new float[classes];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < classes; k++) {
                mean[k] += out.data()[i * classes + k] / n;
            }
        }
        return mean;
    }

    @Override
    public void close() {
        graph.close();
    }
}
