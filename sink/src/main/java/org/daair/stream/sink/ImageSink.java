package org.daair.stream.sink;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import org.daair.stream.common.Frame;

/**
 * Writes each frame as an image file.
 *
 * <ul>
 *   <li>Folder mode (the path is a folder, or has no image extension): each frame goes to
 *       {@code folder/<frame name>}, sub-folders included, so an image folder comes back with the
 *       same names and formats (PNG stays PNG, JPEG stays JPEG). Frames without a name (from a
 *       video) become {@code 000000.png}, {@code 000001.png}, ...</li>
 *   <li>File mode (the path has an image extension): the single frame is written there; with a
 *       {@code %d} pattern ({@code out_%05d.png}) every frame is written under its number.</li>
 * </ul>
 * Every image is written to a hidden temporary file and renamed, so a reader never sees half an
 * image. Aborting ({@link #close()} without {@link #finish()}) removes the temporary file in
 * progress; images already completed are whole and stay.
 */
public final class ImageSink implements FrameSink {

    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff");
    private static final float JPEG_QUALITY = 0.95f;

    private final Path target;
    private final boolean folder;
    private final boolean pattern;
    private Path inProgress;
    private long written;
    private boolean finished;
    private boolean closed;

    public ImageSink(Path fileOrDirectory) throws IOException {
        this.target = fileOrDirectory.toAbsolutePath().normalize();
        this.folder = Files.isDirectory(target) || !EXTENSIONS.contains(extension(target.getFileName().toString()));
        this.pattern = !folder && target.getFileName().toString().contains("%");
        Path dir = folder ? target : target.getParent();
        VideoFileSink.ensureWritableDirectory(dir, dir.resolve(".daair-write-test.part"));
    }

    @Override
    public void write(Frame f) throws IOException {
        if (finished || closed) {
            throw new IllegalStateException("image sink for " + target + " is already " + (finished ? "finished" : "closed"));
        }
        if (f.isEndOfStream()) {
            return;
        }
        Path file = destination(f);
        String format = formatFor(extension(file.getFileName().toString()));
        BufferedImage img = toImage(f);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".part");
        inProgress = tmp;
        try (OutputStream os = Files.newOutputStream(tmp); ImageOutputStream ios = ImageIO.createImageOutputStream(os)) {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
            if (!writers.hasNext()) {
                throw new IOException("no ImageIO writer for " + format + " (writing " + file + ")");
            }
            ImageWriter writer = writers.next();
            try {
                writer.setOutput(ios);
                ImageWriteParam param = writer.getDefaultWriteParam();
                if (format.equals("jpeg")) {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(JPEG_QUALITY);
                }
                writer.write(null, new IIOImage(img, null, null), param);
            } finally {
                writer.dispose();
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            inProgress = null;
            throw new IOException("cannot write image " + file + ": " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        inProgress = null;
        written++;
    }

    /** Where a frame goes; names are checked so that "../x" cannot escape the output folder. */
    Path destination(Frame f) throws IOException {
        if (!folder) {
            if (pattern) {
                return target.resolveSibling(String.format(Locale.ROOT, target.getFileName().toString(), f.seq()));
            }
            if (written > 0) {
                throw new IOException("output " + target + " is a single image but more than one frame came: "
                        + "give a folder or a pattern such as out_%05d.png");
            }
            return target;
        }
        String name = f.name() != null ? f.name() : String.format(Locale.ROOT, "%06d.png", f.seq());
        if (!EXTENSIONS.contains(extension(name))) {
            name = name + ".png";
        }
        Path file = target.resolve(name).normalize();
        if (!file.startsWith(target) || file.equals(target)) {
            throw new IOException("frame name '" + name + "' points outside the output folder " + target);
        }
        return file;
    }

    private static String formatFor(String ext) {
        switch (ext) {
            case "jpg":
            case "jpeg":
                return "jpeg";
            case "bmp":
                return "bmp";
            case "tif":
            case "tiff":
                return "tiff";
            default:
                return "png";
        }
    }

    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** 8-bit RGB image; TYPE_INT_RGB suits every writer (JPEG and BMP reject alpha). */
    public static BufferedImage toImage(Frame f) {
        int w = f.width();
        int h = f.height();
        int plane = w * h;
        float[] rgb = f.rgb();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            int o = y * w;
            for (int x = 0; x < w; x++, o++) {
                row[x] = (q(rgb[o]) << 16) | (q(rgb[plane + o]) << 8) | q(rgb[2 * plane + o]);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        return img;
    }

    private static int q(float v) {
        return Pixels.quantize(v) & 0xFF;
    }

    /** Images written so far. */
    public long written() {
        return written;
    }

    @Override
    public void finish() throws IOException {
        if (closed && !finished) {
            throw new IllegalStateException("image sink for " + target + " is closed");
        }
        if (written == 0) {
            throw new IOException("no frame was written to " + target + ": nothing to save");
        }
        finished = true;
    }

    @Override
    public void close() {
        closed = true;
        if (inProgress != null) {
            try {
                Files.deleteIfExists(inProgress);
            } catch (IOException ignored) {
                // best effort: a hidden .part file is harmless
            }
            inProgress = null;
        }
    }
}
