package dev.memoria;

import java.util.List;
import java.util.Objects;

/**
 * One page of a listing.
 *
 * @param items the page's items, in the listing's order
 * @param nextCursor pass it to the same query for the next page; null exactly on the last page
 * @param <T> the item type
 */
public record Page<T>(List<T> items, String nextCursor) {
    /** Copies the list. */
    public Page {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /** @return the page's first item, if any: with {@code limit(1)}, the one item a query asks for */
    public java.util.Optional<T> first() {
        return items.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(items.get(0));
    }

    /** @return whether another page follows */
    public boolean hasNext() {
        return nextCursor != null;
    }

    @Override
    public String toString() {
        return "Page[" + items.size() + " items" + (nextCursor == null ? ", last" : ", more") + "]";
    }
}
