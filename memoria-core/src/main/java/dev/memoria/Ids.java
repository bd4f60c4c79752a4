package dev.memoria;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates ids: UUIDv7 strings (RFC 9562), time-ordered, and strictly increasing within one
 * process even when many are made in the same millisecond or the wall clock steps back, so that
 * ordering by id breaks ties in the order of creation.
 *
 * <p>Thread-safe.
 */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The last (48-bit millisecond, 12-bit counter) pair handed out, packed into one long. */
    private static final AtomicLong LAST = new AtomicLong();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Ids() {
    }

    /** @return a new UUIDv7 string such as {@code 019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b} */
    public static String next() {
        long stamp = nextStamp(System.currentTimeMillis());
        long millis = stamp >>> 12;
        long counter = stamp & 0xFFF;
        long msb = (millis << 16) | 0x7000L | counter;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return format(msb, lsb);
    }

    private static long nextStamp(long now) {
        long candidate = now << 12;
        while (true) {
            long last = LAST.get();
            // same or earlier millisecond: bump the counter (carrying into the millisecond)
            long next = candidate > last ? candidate : last + 1;
            if (LAST.compareAndSet(last, next)) {
                return next;
            }
        }
    }

    private static String format(long msb, long lsb) {
        char[] out = new char[36];
        int pos = 0;
        for (int i = 0; i < 32; i++) {
            if (i == 8 || i == 12 || i == 16 || i == 20) {
                out[pos++] = '-';
            }
            long word = i < 16 ? msb : lsb;
            int shift = 60 - 4 * (i % 16);
            out[pos++] = HEX[(int) ((word >>> shift) & 0xF)];
        }
        return new String(out);
    }
}
