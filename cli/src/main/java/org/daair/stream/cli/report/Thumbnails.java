package org.daair.stream.cli.report;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.daair.stream.common.Frame;

/** Small JPEG images of frames, as {@code data:} URIs, so that the report carries its pictures inside. */
final class Thumbnails {

    static final int MAX_WIDTH = 320;
    private static final float QUALITY = 0.85f;

    private Thumbnails() {
    }

    /** The frame scaled to at most {@link #MAX_WIDTH} wide (never up), as 8-bit RGB. */
    static BufferedImage scaled(Frame f) {
        BufferedImage full = org.daair.stream.sink.ImageSink.toImage(f);
        if (f.width() <= MAX_WIDTH) {
            return full;
        }
        int w = MAX_WIDTH;
        int h = Math.max(1, Math.round(f.height() * (float) MAX_WIDTH / f.width()));
        // shrinking in halving steps with bilinear filtering averages away aliasing (rain streaks, noise)
        BufferedImage cur = full;
        while (cur.getWidth() / 2 >= w) {
            cur = resize(cur, cur.getWidth() / 2, Math.max(1, cur.getHeight() / 2));
        }
        return resize(cur, w, h);
    }

    private static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return dst;
    }



    /** {@code data:image/jpeg;base64,...} of the image. */
    static String dataUri(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(QUALITY);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a thumbnail: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
