package org.daair.stream.cli.preview;

import java.io.IOException;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.sink.FrameSink;

/**
 * Writes, in place of each restored frame, the preview of it beside its own input frame (found
 * by seq in {@link OriginalFrames}) to the real sink. Time stamps, seq and names are the restored
 * frame's, so the output keeps the input's timing, audio and file names.
 */
public final class PreviewSink implements FrameSink {

    private final FrameSink out;
    private final OriginalFrames originals;
    private final PreviewLayout layout;

    public PreviewSink(FrameSink out, OriginalFrames originals, PreviewLayout layout) {
        this.out = out;
        this.originals = originals;
        this.layout = layout;
    }

    /** The stream the real sink must be opened for: the preview's size, everything else the input's. */
    public static StreamInfo previewInfo(StreamInfo in, PreviewLayout layout) {
        return new StreamInfo(in.streamId(), in.source(), in.width() > 0 ? layout.width(in.width()) : in.width(), in.height(),
                in.frameRateNum(), in.frameRateDen(), in.timeBaseNum(), in.timeBaseDen(), in.colorPrimaries(),
                in.colorTransfer(), in.colorSpace(), in.colorRange(), in.rotationDegrees(), in.frameCount(), in.hasAudio(),
                in.videoCodec());
    }

    @Override
    public void write(Frame f) throws IOException {
        if (f.isEndOfStream()) {
            return;
        }
        OriginalFrames.Original in = originals.take(f.seq());
        if (in == null) {
            throw new IOException("preview: the input of frame " + f.seq() + " was not kept");
        }
        if (in.width() != f.width() || in.height() != f.height()) {
            throw new IOException("preview: frame " + f.seq() + " is " + f.width() + "x" + f.height()
                    + " restored but " + in.width() + "x" + in.height() + " in the input");
        }
        float[] px = layout.compose(in.rgb(), f.rgb(), f.width(), f.height());
        out.write(new Frame(f.streamId(), f.seq(), f.ptsMicros(), layout.width(f.width()), f.height(), px, f.route(), f.name()));
    }

    @Override
    public void finish() throws IOException {
        out.finish();
    }

    @Override
    public void close() {
        out.close();
    }
}
