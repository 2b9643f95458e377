package org.daair.stream.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.sink.FrameSink;
import org.daair.stream.sink.SinkOptions;
import org.daair.stream.sink.Sinks;

/** Small real inputs made from the samples, so that tests restore them in seconds on a CPU. */
final class SmallInputs {

    private SmallInputs() {
    }

    /** The first {@code n} frames of samples/car-park-rain.mp4 scaled to w x h, as a lossless .mkv at the clip's frame rate. */
    static Path clip(Path dir, int w, int h, int n) throws IOException {
        BenchCommand.Clip c = BenchCommand.decodeScaled(CliTestSupport.samples().resolve("car-park-rain.mp4").toString(), w, h, n);
        Path video = dir.resolve("small-" + w + "x" + h + ".mkv");
        StreamInfo info = new StreamInfo("small", video.toString(), w, h, c.rateNum(), c.rateDen(), c.rateDen(), c.rateNum(),
                1, 1, 1, 1, 0, c.frames().size(), false, "ffv1");
        try (FrameSink sink = Sinks.open(video.toString(), info, SinkOptions.defaults().withLossless(true).withCopyAudio(false))) {
            for (Frame f : c.frames()) {
                sink.write(f);
            }
            sink.finish();
        }
        return video;
    }

    /** samples/frames scaled to w x h, as PNGs of the same names in a new folder. */
    static Path images(Path dir, int w, int h) throws IOException {
        Path out = Files.createDirectories(dir.resolve("small-frames"));
        List<Path> in;
        try (Stream<Path> s = Files.list(CliTestSupport.samples().resolve("frames"))) {
            in = s.sorted().toList();
        }
        for (Path p : in) {
            BufferedImage src = ImageIO.read(p.toFile());
            BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            var g = dst.createGraphics();
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w, h, null);
            g.dispose();
            ImageIO.write(dst, "png", out.resolve(p.getFileName()).toFile());
        }
        return out;
    }

    /** A settings file that makes video outputs lossless (FFV1), so decoded outputs can be compared pixel by pixel. */
    static Path losslessConfig(Path dir) throws IOException {
        return Files.writeString(dir.resolve("lossless.yaml"), "output:\n  lossless: true\n");
    }
}
