package dev.memoria.bench;

import java.util.Arrays;
import java.util.Locale;

/** Median and interquartile spread of a sample of durations in nanoseconds. */
record Stats(double median, double p25, double p75, int n) {
    static Stats of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Stats(sortedQuantile(s, 0.5), sortedQuantile(s, 0.25), sortedQuantile(s, 0.75), s.length);
    }

    /** @return the q-quantile of a sample, sorted or not */
    static double quantile(long[] nanos, double q) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return sortedQuantile(s, q);
    }

    private static double sortedQuantile(long[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** "812 µs (740–905)": median with its interquartile range. */
    String micros() {
        return String.format(Locale.ROOT, "%s µs (%s–%s)", fmt(median / 1e3), fmt(p25 / 1e3), fmt(p75 / 1e3));
    }

    /** Operations per second at the median latency. */
    double perSecond(int itemsPerOp) {
        return itemsPerOp * 1e9 / median;
    }

    static String fmt(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
