package dev.memoria.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CursorsTest {

    @Test
    void aCursorReadsBackItsKeys() {
        String cursor = Cursors.encode("sessions", "user=ada", "1700000000000", "id-1");
        assertThat(cursor).matches("[A-Za-z0-9_-]+");
        assertThat(Cursors.decode(cursor, "sessions", "user=ada", 2)).containsExactly("1700000000000", "id-1");
    }

    @Test
    void everySingleCharacterChangeIsDetected() {
        String cursor = Cursors.encode("runs", "s", "42", "run");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int detected = 0;
        int tried = 0;
        for (int i = 0; i < cursor.length(); i++) {
            char replacement = alphabet.charAt((alphabet.indexOf(cursor.charAt(i)) + 17) % alphabet.length());
            String altered = cursor.substring(0, i) + replacement + cursor.substring(i + 1);
            tried++;
            try {
                Cursors.decode(altered, "runs", "s", 2);
            } catch (IllegalArgumentException expected) {
                assertThat(expected).hasMessageStartingWith("cursor: invalid");
                detected++;
            }
        }
        assertThat(detected).isEqualTo(tried);
    }

    @Test
    void aCursorOfAnotherListingOrFilterIsRefused() {
        String cursor = Cursors.encode("runs", "session=a", "1", "x");
        assertThatThrownBy(() -> Cursors.decode(cursor, "sessions", "session=a", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cursor: invalid, it belongs to a listing of runs, not of sessions"
                        + " (pass the nextCursor of a page of this same query)");
        assertThatThrownBy(() -> Cursors.decode(cursor, "runs", "session=b", 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other filters");
        assertThatThrownBy(() -> Cursors.decode(cursor, "runs", "session=a", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported cursor format");
        assertThatThrownBy(() -> Cursors.decode("%%%", "runs", "x", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Memoria cursor");
        assertThatThrownBy(() -> Cursors.decode(cursor.substring(0, cursor.length() - 2), "runs", "session=a", 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
