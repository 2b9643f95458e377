/**
 * Frames over Apache Kafka: the record format (version 1, {@code docs/frame-format.md}), a
 * {@link org.daair.stream.common.Transport} adapter, publishers and subscribers with consumer
 * groups and explicit commits, a dead-letter path, and an in-JVM single-node KRaft broker.
 *
 * <ul>
 *   <li>{@link org.daair.stream.kafka.FrameCodec}: {@code Frame} to record and back; payload
 *       encodings in {@link org.daair.stream.kafka.PayloadEncoding}; bad records raise
 *       {@link org.daair.stream.kafka.FrameFormatException}.</li>
 *   <li>{@link org.daair.stream.kafka.KafkaLimits}: every size limit, from one number.</li>
 *   <li>{@link org.daair.stream.kafka.KafkaFrames}: client configurations,
 *       {@link org.daair.stream.kafka.FramePublisher} and {@link org.daair.stream.kafka.FrameSubscriber}.</li>
 *   <li>{@link org.daair.stream.kafka.KafkaTransport}: {@code channel(name)} over topic {@code daair.<name>}.</li>
 *   <li>{@link org.daair.stream.kafka.EmbeddedKafkaBroker}: a broker for tests and for {@code daair broker}.</li>
 * </ul>
 */
package org.daair.stream.kafka;
