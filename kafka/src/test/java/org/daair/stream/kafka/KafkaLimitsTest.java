package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaLimitsTest {

    @Test
    void everyLaterLimitAdmitsWhatTheCodecAdmits() {
        for (KafkaLimits l : new KafkaLimits[] {KafkaLimits.DEFAULT, new KafkaLimits(KafkaLimits.MIB),
                new KafkaLimits(512 * KafkaLimits.MIB)}) {
            assertTrue(l.maxRequestSize() > l.maxFrameBytes());
            assertTrue(l.bufferMemory() >= 2L * l.maxRequestSize());
            assertTrue(l.messageMaxBytes() > l.maxRequestSize());
            assertTrue(l.socketRequestMaxBytes() > l.messageMaxBytes());
            assertTrue(l.maxPartitionFetchBytes() >= l.messageMaxBytes());
            assertTrue(l.fetchMaxBytes() >= l.maxPartitionFetchBytes());
        }
    }

    @Test
    void defaultsCarry1080pFloatAnd4kHalfButNot4kFloat() {
        KafkaLimits l = KafkaLimits.DEFAULT;
        assertTrue(PayloadEncoding.RAW_F32.payloadBytes(1920, 1080) < l.maxFrameBytes());
        assertTrue(PayloadEncoding.RAW_F32.payloadBytes(2560, 1440) < l.maxFrameBytes());
        assertTrue(PayloadEncoding.RAW_F16.payloadBytes(3840, 2160) < l.maxFrameBytes());
        assertTrue(PayloadEncoding.RAW_U8.payloadBytes(3840, 2160) < l.maxFrameBytes());
        assertEquals(99_532_800L, PayloadEncoding.RAW_F32.payloadBytes(3840, 2160));
        assertTrue(PayloadEncoding.RAW_F32.payloadBytes(3840, 2160) > l.maxFrameBytes());
    }

    @Test
    void appliesToClientAndBrokerConfigs() {
        Map<String, Object> p = new HashMap<>();
        KafkaLimits.DEFAULT.applyToProducer(p);
        assertEquals(KafkaLimits.DEFAULT.maxRequestSize(), p.get("max.request.size"));
        Map<String, Object> c = new HashMap<>();
        KafkaLimits.DEFAULT.applyToConsumer(c);
        assertEquals(KafkaLimits.DEFAULT.maxPartitionFetchBytes(), c.get("max.partition.fetch.bytes"));
        Map<Object, Object> b = new HashMap<>();
        KafkaLimits.DEFAULT.applyToBroker(b);
        assertEquals(Integer.toString(KafkaLimits.DEFAULT.messageMaxBytes()), b.get("message.max.bytes"));
        assertEquals(Integer.toString(KafkaLimits.DEFAULT.messageMaxBytes()),
                KafkaLimits.DEFAULT.topicConfig().get("max.message.bytes"));
        assertThrows(IllegalArgumentException.class, () -> new KafkaLimits(1000));
    }
}
