package dev.memoria.inmemory;

import dev.memoria.Page;
import java.util.List;
import java.util.function.Function;

/** Turns "limit + 1 items" into a page whose cursor is null exactly on the last page. */
final class Paging {
    private Paging() {
    }

    static <T> Page<T> page(List<T> limitPlusOne, int limit, Function<T, String> cursorOf) {
        if (limitPlusOne.size() <= limit) {
            return new Page<>(limitPlusOne, null);
        }
        List<T> items = limitPlusOne.subList(0, limit);
        return new Page<>(items, cursorOf.apply(items.get(limit - 1)));
    }
}
