package dev.memoria.mongodb;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;

/** A query filter built from a listing's conditions, the same way for sessions and runs. */
final class Conditions {
    private final List<Bson> all = new ArrayList<>();

    Conditions equal(String field, Object value) {
        if (value != null) {
            all.add(Filters.eq(field, value));
        }
        return this;
    }

    Conditions in(String field, Collection<? extends Enum<?>> values) {
        if (!values.isEmpty()) {
            all.add(Filters.in(field, values.stream().map(Enum::name).toList()));
        }
        return this;
    }

    /** Every label must match; keys are escaped as they are stored. */
    Conditions labels(String field, Map<String, String> labels) {
        labels.forEach((key, value) -> all.add(Filters.eq(field + "." + UserData.escapeKey(key), value)));
        return this;
    }

    Conditions after(String field, Instant instant) {
        if (instant != null) {
            all.add(Filters.gt(field, instant.toEpochMilli()));
        }
        return this;
    }

    Conditions before(String field, Instant instant) {
        if (instant != null) {
            all.add(Filters.lt(field, instant.toEpochMilli()));
        }
        return this;
    }

    /** Resumes a keyset walk after (time, _id) in the walk's direction. */
    Conditions after(String timeField, boolean descending, long time, String id) {
        all.add(descending
                ? Filters.or(Filters.lt(timeField, time), Filters.and(Filters.eq(timeField, time), Filters.lt("_id", id)))
                : Filters.or(Filters.gt(timeField, time), Filters.and(Filters.eq(timeField, time), Filters.gt("_id", id))));
        return this;
    }

    Bson filter() {
        return all.isEmpty() ? new Document() : Filters.and(all);
    }

    static Bson order(String timeField, boolean descending) {
        return descending ? Sorts.descending(timeField, "_id") : Sorts.ascending(timeField, "_id");
    }
}
