package org.daair.stream.ingest;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * Reads still images (PNG, JPEG, BMP, TIFF through ImageIO): one image file, or every image under
 * a folder (sub-folders included, hidden files skipped) in path order.
 *
 * <p>Each frame carries {@link Frame#name()} = its path relative to the folder ("/"-separated),
 * so the image sink can write the restored image under the same name. Images may differ in size;
 * alpha is dropped and grey or palette images become RGB. The files are listed up front (so
 * {@link StreamInfo#frameCount()} is exact) but decoded one by one.
 */
public final class ImageSource implements FrameSource {

    private static final float[] LUT8 = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            LUT8[i] = i / 255f;
        }
    }

    private final Path root;
    private final boolean singleFile;
    private final List<Path> files;
    private final int[][] sizes;
    private final String streamId;
    private final StreamInfo info;
    private int index;
    private boolean closed;

    /**
     * @param fileOrDirectory an image file or a folder containing images
     * @throws SourceException when the path is missing, or the folder holds no image
     */
    public ImageSource(Path fileOrDirectory, String streamId) throws IOException {
        this.streamId = streamId;
        if (Files.isDirectory(fileOrDirectory)) {
            this.root = fileOrDirectory;
            this.singleFile = false;
            this.files = listImages(fileOrDirectory);
            if (files.isEmpty()) {
                throw new SourceException("folder '" + fileOrDirectory + "' contains no image (looked for "
                        + String.join(", ", Sources.IMAGE_EXTENSIONS.stream().sorted().toList()) + ")");
            }
        } else {
            Sources.checkReadableFile(fileOrDirectory);
            this.root = fileOrDirectory.toAbsolutePath().getParent();
            this.singleFile = true;
            this.files = List.of(fileOrDirectory);
        }
        // Every file's header is read now, before a frame goes anywhere: a folder with one
        // undecodable, huge or tiny image fails before anything is written.
        this.sizes = new int[files.size()][];
        for (int i = 0; i < files.size(); i++) {
            sizes[i] = probeSize(files.get(i));
        }
        this.info = StreamInfo.images(streamId, fileOrDirectory.toString(), files.size());
    }

    /**
     * Refuses the whole input if any image is smaller than MIN_SIDE in width or height.
     *
     * @param why who needs the size, for the message ("the model")
     * @throws SourceException naming the first such image and its size
     */
    public void requireMinSide(int minSide, String why) throws SourceException {
        for (int i = 0; i < files.size(); i++) {
            if (sizes[i][0] < minSide || sizes[i][1] < minSide) {
                throw new SourceException("image '" + files.get(i) + "' is " + sizes[i][0] + "x" + sizes[i][1] + ": " + why
                        + " needs images of at least " + minSide + "x" + minSide + " pixels; upscale it or leave it out");
            }
        }
    }

    /** Width and height of the i-th image, from its header. */
    public int[] size(int i) {
        return sizes[i].clone();
    }

    private static List<Path> listImages(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !isHidden(dir.relativize(p)))
                    .filter(p -> Sources.IMAGE_EXTENSIONS.contains(Sources.extension(p)))
                    .forEach(out::add);
        }
        // Sort by the relative name so the order does not depend on the file system.
        out.sort((a, b) -> relative(dir, a).compareTo(relative(dir, b)));
        return out;
    }

    private static boolean isHidden(Path rel) {
        for (Path part : rel) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    @Override
    public StreamInfo info() {
        return info;
    }

    /** The image files this source will return, in order. */
    public List<Path> files() {
        return files;
    }

    @Override
    public Frame next() throws IOException {
        if (closed) {
            throw new IllegalStateException("source " + streamId + " is closed");
        }
        if (index >= files.size()) {
            return null;
        }
        Path file = files.get(index);
        BufferedImage img = read(file);
        int w = img.getWidth();
        int h = img.getHeight();
        checkNotHuge(file, w, h);
        int plane = w * h;
        float[] rgb = new float[3 * plane];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            // getRGB converts any colour model (grey, palette, 16-bit) to sRGB 8-bit ARGB.
            img.getRGB(0, y, w, 1, row, 0, w);
            int o = y * w;
            for (int x = 0; x < w; x++, o++) {
                int p = row[x];
                rgb[o] = LUT8[(p >> 16) & 0xFF];
                rgb[plane + o] = LUT8[(p >> 8) & 0xFF];
                rgb[2 * plane + o] = LUT8[p & 0xFF];
            }
        }
        String name = singleFile ? file.getFileName().toString() : relative(root, file);
        Frame f = new Frame(streamId, index, 0, w, h, rgb, null, name);
        index++;
        return f;
    }

    private static void checkNotHuge(Path file, int w, int h) throws SourceException {
        if (w <= 0 || h <= 0 || (long) w * h > (long) Y4mSource.MAX_SIDE * Y4mSource.MAX_SIDE / 4) {
            throw new SourceException("image '" + file + "' is too large (" + w + "x" + h + "): split or downscale it");
        }
    }

    private interface ReaderJob<T> {
        T apply(ImageReader reader) throws IOException;
    }

    /** Width and height from the header only (nothing is decoded, nothing large allocated). */
    private static int[] probeSize(Path file) throws SourceException {
        int[] wh = withReader(file, r -> new int[] {r.getWidth(0), r.getHeight(0)});
        checkNotHuge(file, wh[0], wh[1]);
        return wh;
    }

    private static BufferedImage read(Path file) throws SourceException {
        return withReader(file, r -> r.read(0));
    }

    private static <T> T withReader(Path file, ReaderJob<T> job) throws SourceException {
        try {
            if (Files.size(file) == 0) {
                throw new SourceException("image '" + file + "' is empty (0 bytes): the copy probably failed");
            }
            try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
                Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
                if (!readers.hasNext()) {
                    throw new SourceException("'" + file + "' is not an image ImageIO can read (PNG, JPEG, BMP, TIFF): "
                            + "check the file type or remove it from the folder");
                }
                ImageReader reader = readers.next();
                try {
                    reader.setInput(iis, true, true);
                    return job.apply(reader);
                } finally {
                    reader.dispose();
                }
            }
        } catch (SourceException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SourceException("image '" + file + "' cannot be decoded (" + e.getMessage()
                    + "): it is damaged or truncated", e);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
