package org.daair.stream.kafka;

/**
 * IEEE 754 binary16 conversions (Java 17 has no {@code Float.floatToFloat16}). Rounding is to
 * nearest, ties to even, as in the hardware conversion: on [0, 1] the error is at most 2^-12
 * (2.4e-4), below half of one 8-bit step, so {@code raw-f16} keeps restored frames within the
 * 1e-3 that the pipeline allows while halving {@code raw-f32}.
 */
final class HalfFloat {

    /** All 65536 halves as floats: decoding is one table look-up per sample. */
    private static final float[] TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < TO_FLOAT.length; h++) {
            TO_FLOAT[h] = compute(h);
        }
    }

    private HalfFloat() {
    }

    static float toFloat(short half) {
        return TO_FLOAT[half & 0xffff];
    }

    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            // infinity stays infinity; NaN stays a (quiet) NaN
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal (2^-25): rounds to zero
            }
            mant |= 0x800000; // the implicit bit becomes explicit in a subnormal
            int shift = 14 - e;
            int half = mant >>> shift;
            int rest = mant & ((1 << shift) - 1);
            int tie = 1 << (shift - 1);
            if (rest > tie || (rest == tie && (half & 1) != 0)) {
                half++; // a carry into the exponent field gives the smallest normal: correct
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // a carry may reach 0x7c00, infinity: correct for values past the largest half
        }
        return (short) (sign | half);
    }

    private static float compute(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
