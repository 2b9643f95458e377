package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfFloatTest {

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = HalfFloat.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloat.toFloat(HalfFloat.fromFloat(f))));
            } else {
                assertEquals((short) h, HalfFloat.fromFloat(f), "half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void knownValues() {
        assertEquals(1f, HalfFloat.toFloat((short) 0x3c00));
        assertEquals((short) 0x3c00, HalfFloat.fromFloat(1f));
        assertEquals((short) 0x7bff, HalfFloat.fromFloat(65504f)); // largest half
        assertEquals((short) 0x7c00, HalfFloat.fromFloat(65520f)); // rounds to infinity
        assertEquals((short) 0x0001, HalfFloat.fromFloat(0x1p-24f)); // smallest subnormal
        assertEquals((short) 0x0000, HalfFloat.fromFloat(0x1p-25f)); // tie to even: zero
        assertEquals((short) 0x8000, HalfFloat.fromFloat(-0f));
        assertEquals((short) 0x3c00, HalfFloat.fromFloat(1f + 0x1p-11f)); // tie to even: down
        assertEquals((short) 0x3c02, HalfFloat.fromFloat(1f + 3 * 0x1p-11f)); // tie to even: up
    }

    @Test
    void errorOnUnitIntervalIsBelowAQuarterOfAnEightBitStep() {
        Random r = new Random(7);
        float worst = 0;
        for (int i = 0; i < 1_000_000; i++) {
            float v = r.nextFloat();
            worst = Math.max(worst, Math.abs(HalfFloat.toFloat(HalfFloat.fromFloat(v)) - v));
        }
        assertTrue(worst <= 0x1p-12f, "worst error " + worst);
    }
}
