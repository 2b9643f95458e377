/**
 * Inputs of the restoration pipeline: everything that turns a file, a live URL, a YUV4MPEG2 pipe
 * or a folder of images into {@link org.daair.stream.common.Frame}s of planar float RGB.
 *
 * <p>Start with {@link org.daair.stream.ingest.Sources#open(String, String)}. Every input problem
 * a user can fix (missing, empty, truncated, not a video, unsupported format, absurd size) is
 * reported as a {@link org.daair.stream.ingest.SourceException} with a one-line message.
 */
package org.daair.stream.ingest;
