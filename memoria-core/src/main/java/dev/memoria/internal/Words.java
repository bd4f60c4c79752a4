package dev.memoria.internal;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The one word normalisation every backend's fact index uses (K4), so that a word query finds the
 * same facts everywhere: Unicode compatibility decomposition (NFKD), combining marks dropped
 * ("Café" and "cafe" are one word), full case folding through upper then lower case ("Straße" is
 * "strasse"), and words split at every character that is neither a letter nor a digit. Query
 * syntax of any backend (quotes, {@code *}, {@code -}, {@code :}, parentheses, {@code $}) is
 * never part of a word, and the words left ({@code OR}, {@code NEAR}) are plain words (K5).
 */
public final class Words {
    /** Longer words are cut to this many characters, in the index and in queries alike. */
    public static final int MAX_WORD_LENGTH = 100;
    /** At most this many distinct words in a query. */
    public static final int MAX_QUERY_WORDS = 64;

    private Words() {
    }

    /**
     * @param text any text
     * @return its normalised words in order, repeats kept (for term frequencies)
     */
    public static List<String> of(String text) {
        List<String> words = new ArrayList<>();
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < decomposed.length(); ) {
            int cp = decomposed.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK) {
                continue; // accents and other marks belong to the letter before them
            }
            if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else {
                flush(word, words);
            }
        }
        flush(word, words);
        return words;
    }

    /**
     * @param text a query's text
     * @param name the argument's name, for the message
     * @return its distinct normalised words, in order of appearance
     * @throws IllegalArgumentException if it has more than {@value #MAX_QUERY_WORDS} distinct words
     */
    public static List<String> query(String text, String name) {
        LinkedHashSet<String> distinct = new LinkedHashSet<>(of(text));
        if (distinct.size() > MAX_QUERY_WORDS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: at most %d distinct words, got %d",
                    name, MAX_QUERY_WORDS, distinct.size()));
        }
        return List.copyOf(distinct);
    }

    /** One round of full case folding; folding can bring back marks (rare compatibility characters): dropped the same way. */
    private static String fold(String word) {
        String cased = word.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(cased, Normalizer.Form.NFKD).codePoints()
                .filter(Character::isLetterOrDigit)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (word.length() == 0) {
            return;
        }
        // folded until nothing changes, so that a word normalised again stays the same word
        // ("ẞ" lowers to "ß", which only the next round turns into "ss")
        String folded = word.toString();
        for (int round = 0; round < 4; round++) {
            String next = fold(folded);
            if (next.equals(folded)) {
                break;
            }
            folded = next;
        }
        if (folded.codePointCount(0, folded.length()) > MAX_WORD_LENGTH) {
            folded = folded.substring(0, folded.offsetByCodePoints(0, MAX_WORD_LENGTH));
        }
        if (!folded.isEmpty()) {
            words.add(folded);
        }
        word.setLength(0);
    }
}
