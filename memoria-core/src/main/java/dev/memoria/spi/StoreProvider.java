package dev.memoria.spi;

import dev.memoria.Stores;
import java.util.List;

/**
 * Opens {@link Stores} from a URI. Backends register implementations in
 * {@code META-INF/services/dev.memoria.spi.StoreProvider}, and {@link Stores#open(String)} picks
 * the first provider that {@linkplain #supports(String) supports} the URI.
 */
public interface StoreProvider {
    /**
     * @return the URI prefixes this provider opens, such as {@code "sqlite:"}; shown to users when
     *     no provider matches
     */
    List<String> schemes();

    /**
     * @param uri the URI given to {@link Stores#open(String)}
     * @return whether this provider opens it
     */
    default boolean supports(String uri) {
        return schemes().stream().anyMatch(uri::startsWith);
    }

    /**
     * Opens the stores; the caller closes them.
     *
     * @param uri a URI this provider supports
     * @param clock the clock every store reads "now" from
     * @return the backend's stores
     * @throws IllegalArgumentException if the URI is malformed, saying what is wrong
     * @throws dev.memoria.StoreUnavailableException if the backend cannot be reached or opened
     */
    Stores open(String uri, java.time.Clock clock);
}
