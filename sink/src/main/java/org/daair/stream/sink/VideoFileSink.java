package org.daair.stream.sink;

import static org.bytedeco.ffmpeg.global.avformat.av_guess_format;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVOutputFormat;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * Writes restored frames to a video file (.mp4, .mkv, .mov, .webm, .avi, .ts ...) the way the
 * source was: same frame rate (as a rational), frames stamped with their pts, colour tags and
 * rotation carried over, and the source file's audio and subtitle streams copied without
 * re-encoding.
 *
 * <p>Nothing appears at the output path until {@link #finish()} succeeds: the encoder writes
 * {@code .NAME.video.part} in the same folder (the muxer is chosen from the final extension, so
 * the temporary suffix does not matter), the audio copy pass writes {@code .NAME.part}, and a
 * rename in the same folder (atomic on POSIX file systems) publishes the result. {@link #close()}
 * without {@code finish()} deletes both temporary files. Because the source is read again only
 * during {@code finish()}, writing the output over the input file itself is safe.
 *
 * <p>The encoder comes from {@link Encoders#candidates}: libx264, else libopenh264, else mpeg4 for
 * the MP4 family; FFV1 when lossless; an encoder asked for in {@link SinkOptions#encoder()} first.
 */
public final class VideoFileSink implements FrameSink {

    private static final System.Logger LOG = System.getLogger(VideoFileSink.class.getName());

    private final Path out;
    private final Path videoTemp;
    private final Path muxTemp;
    private final String muxer;
    private final StreamInfo info;
    private final SinkOptions opts;
    private final FrameEncoder encoder;
    private final Map<String, String> muxerOptions;
    private boolean finished;
    private boolean closed;

    /**
     * Prepares the output; the encoder opens on the first frame.
     *
     * @throws IOException naming the path when the folder cannot be written, the extension is
     *                     unknown to FFmpeg, or no encoder is available
     */
    public VideoFileSink(Path out, StreamInfo info, SinkOptions opts) throws IOException {
        this.out = out.toAbsolutePath().normalize();
        this.info = info;
        this.opts = opts == null ? SinkOptions.defaults() : opts;
        Path name = this.out.getFileName();
        if (name == null) {
            throw new IOException("output '" + out + "' is not a file name");
        }
        if (Files.isDirectory(this.out)) {
            throw new IOException("output '" + out + "' is a folder: give a video file name such as out.mp4");
        }
        this.muxer = muxerFor(this.out);
        Path dir = this.out.getParent();
        this.videoTemp = dir.resolve("." + name + ".video.part");
        this.muxTemp = dir.resolve("." + name + ".part");
        List<String> candidates = Encoders.candidates(muxer, this.opts);
        ensureWritableDirectory(dir, videoTemp);
        this.muxerOptions = muxer.equals("mp4") || muxer.equals("mov")
                ? Map.of("movflags", "+faststart") : Map.of();
        // The encoder pass writes plain video; "faststart" is applied by whichever pass writes last.
        this.encoder = new FrameEncoder(videoTemp.toString(), muxer, info, this.opts, candidates, false,
                willCopy() ? Map.of() : muxerOptions, this.out.toString());
    }

    /** FFmpeg's muxer name for the file's extension ("mp4", "matroska", "mov", "webm", ...). */
    static String muxerFor(Path file) throws IOException {
        String name = file.getFileName().toString();
        AVOutputFormat f = av_guess_format(null, name, null);
        if (f == null || f.isNull() || name.indexOf('.') < 0) {
            throw new IOException("output '" + file + "' has no video extension FFmpeg knows: use .mp4, .mkv, .mov, .webm, .avi or .ts");
        }
        String muxer = f.name().getString();
        if (muxer.equals("image2") || muxer.equals("apng") || muxer.equals("gif")) {
            throw new IOException("output '" + file + "' is an image name; use the image sink for images");
        }
        return muxer;
    }

    /**
     * Creates the folder if needed and proves it writable by creating the temporary file: access
     * bits alone say nothing for root or on read-only mounts.
     */
    static void ensureWritableDirectory(Path dir, Path probe) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IOException("cannot create output folder " + dir + ": " + e.getFile() + " is a file, not a folder; "
                    + "choose another output path", e);
        } catch (FileSystemException e) {
            throw new IOException("cannot create output folder " + dir + ": " + reason(e), e);
        }
        try {
            Files.deleteIfExists(probe);  // a leftover from a crashed run
            Files.newOutputStream(probe).close();
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new IOException("output folder " + dir + " is not writable (permission denied)", e);
        } catch (FileSystemException e) {
            throw new IOException("output folder " + dir + " is not writable: " + reason(e), e);
        }
    }

    private static String reason(FileSystemException e) {
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }

    private boolean willCopy() {
        return opts.copyAudio() && sourceFile() != null;
    }

    /** The source as a local file whose streams can be copied, or null (live input, pipe, images). */
    private Path sourceFile() {
        String s = info.source();
        if (s == null || s.equals("-") || s.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") || info.frameRateNum() <= 0) {
            return null;
        }
        try {
            Path p = Path.of(s.startsWith("file:") ? s.substring(5) : s);
            return Files.isRegularFile(p) ? p : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void write(Frame f) throws IOException {
        if (finished || closed) {
            throw new IllegalStateException("sink for " + out + " is already " + (finished ? "finished" : "closed"));
        }
        encoder.write(f);
    }

    /** The encoder in use, or null before the first frame. */
    public String encoderName() {
        return encoder.encoderName();
    }

    /** The final output path. */
    public Path path() {
        return out;
    }

    @Override
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("sink for " + out + " is closed");
        }
        if (!encoder.started()) {
            throw new IOException("no frame was written to " + out + ": nothing to save");
        }
        encoder.finish();
        Path result = videoTemp;
        Path src = willCopy() ? sourceFile() : null;
        if (src != null) {
            result = copyStreams(src);
        }
        try {
            Files.move(result, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(result, out, StandardCopyOption.REPLACE_EXISTING);
        }
        finished = true;
        deleteTemps();
    }

    /**
     * Copies audio/subtitles next to the new video. Best effort: the restored video is worth more
     * than the sound, so when the copy fails the video alone is kept and a warning is logged.
     */
    private Path copyStreams(Path src) throws IOException {
        AVFormatContext ic;
        try {
            ic = Remuxer.openInput(src);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "audio not copied: " + e.getMessage());
            return videoTemp;
        }
        try {
            List<Integer> streams = Remuxer.copyableStreams(ic, muxer);
            if (streams.isEmpty()) {
                return videoTemp;
            }
            OutputColor color = encoder.color();
            try {
                Remuxer.remux(videoTemp, ic, streams, muxTemp, muxer, color, muxerOptions);
                return muxTemp;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "audio/subtitles not copied into " + out + ": " + e.getMessage());
                Files.deleteIfExists(muxTemp);
                return videoTemp;
            }
        } finally {
            Remuxer.closeInput(ic);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            encoder.abort();
        }
        deleteTemps();
    }

    private void deleteTemps() {
        for (Path p : new Path[] {videoTemp, muxTemp}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete temporary file " + p + ": " + e.getMessage());
            }
        }
    }
}
