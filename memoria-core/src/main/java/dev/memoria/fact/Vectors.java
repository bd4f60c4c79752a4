package dev.memoria.fact;

import java.util.Arrays;
import java.util.Locale;

/** The rules of a fact's vector, and cosine similarity: written once for every backend. */
final class Vectors {
    /** The most dimensions of a vector. */
    static final int MAX_DIMENSIONS = 8192;

    private Vectors() {
    }

    /** @return a checked copy, or null for null */
    static float[] checkedCopy(float[] vector, String name) {
        if (vector == null) {
            return null;
        }
        if (vector.length == 0 || vector.length > MAX_DIMENSIONS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: 1 to %d dimensions, got %d",
                    name, MAX_DIMENSIONS, vector.length));
        }
        boolean nonZero = false;
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: dimension %d is %s, not a finite number",
                        name, i, vector[i]));
            }
            nonZero |= vector[i] != 0f;
        }
        if (!nonZero) {
            throw new IllegalArgumentException(name + ": must not be all zeros (it has no direction to compare)");
        }
        return vector.clone();
    }

    static String describe(float[] vector) {
        return vector == null ? "none" : vector.length + " dimensions";
    }

    static boolean equal(float[] a, float[] b) {
        return Arrays.equals(a, b);
    }
}
