package dev.memoria.testkit;

import dev.memoria.fact.Embedder;
import dev.memoria.spi.Facts;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * A deterministic stand-in for an embedding model, for tests: each normalised word of the text
 * adds 1 to a dimension chosen by its hash, so texts sharing words point the same way. It knows no
 * meaning; it only makes similarity rankings predictable.
 */
public final class HashingEmbedder implements Embedder {
    private final int dimensions;

    /** @param dimensions the vectors' length, at least 2 */
    public HashingEmbedder(int dimensions) {
        if (dimensions < 2) {
            throw new IllegalArgumentException("dimensions: at least 2, got " + dimensions);
        }
        this.dimensions = dimensions;
    }

    @Override
    public float[] embed(String text) {
        float[] v = new float[dimensions];
        for (String word : Facts.indexWords(text)) {
            CRC32 crc = new CRC32();
            crc.update(word.getBytes(StandardCharsets.UTF_8));
            v[(int) (crc.getValue() % dimensions)] += 1f;
        }
        if (Arrays.equals(v, new float[dimensions])) {
            v[0] = 1e-3f; // a text without words still gets a direction
        }
        return v;
    }

    @Override
    public String toString() {
        return "HashingEmbedder[" + dimensions + "]";
    }
}
