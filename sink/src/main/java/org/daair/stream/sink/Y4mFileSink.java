package org.daair.stream.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/** A {@link Y4mSink} into a file, with the same temporary-name-then-rename commit as video files. */
final class Y4mFileSink implements FrameSink {

    private final Path out;
    private final Path temp;
    private final OutputStream stream;
    private final Y4mSink sink;
    private boolean finished;
    private boolean closed;

    Y4mFileSink(Path out, StreamInfo info) throws IOException {
        this.out = out.toAbsolutePath().normalize();
        this.temp = this.out.resolveSibling("." + this.out.getFileName() + ".part");
        VideoFileSink.ensureWritableDirectory(this.out.getParent(), temp);
        this.stream = Files.newOutputStream(temp);
        this.sink = new Y4mSink(stream, info);
    }

    @Override
    public void write(Frame f) throws IOException {
        sink.write(f);
    }

    @Override
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        sink.finish();
        stream.close();
        try {
            Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING);
        }
        finished = true;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sink.close();
        try {
            stream.close();
            if (!finished) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException ignored) {
            // best effort on abort
        }
    }
}
