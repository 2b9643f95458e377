/**
 * Outputs of the restoration pipeline: video files (with the source's audio copied), live
 * streams, YUV4MPEG2 pipes and image folders.
 *
 * <p>Start with {@link org.daair.stream.sink.Sinks#open}. Every sink is transactional
 * ({@link org.daair.stream.sink.FrameSink}): nothing appears at a file output until
 * {@code finish()}, and {@code close()} without it removes partial output.
 */
package org.daair.stream.sink;
