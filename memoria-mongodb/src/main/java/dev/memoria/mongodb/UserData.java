package dev.memoria.mongodb;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoWriteException;
import dev.memoria.spi.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * User maps to and from BSON. Values keep their types (Long as int64, Double as double, lists and
 * maps nested). Keys are escaped so that any key a user gives is stored as data, never read by
 * MongoDB as an operator or a path: '%' becomes "%25", '.' "%2E", a leading '$' "%24", and the
 * empty key "%". The escaping is reversible, and queries on labels use escaped keys too.
 */
final class UserData {
    private UserData() {
    }

    static String escapeKey(String key) {
        if (key.isEmpty()) {
            return "%";
        }
        StringBuilder out = null;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            String replacement = c == '%' ? "%25" : c == '.' ? "%2E" : (c == '$' && i == 0) ? "%24" : null;
            if (replacement != null && out == null) {
                out = new StringBuilder(key.length() + 8).append(key, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? key : out.toString();
    }

    static String unescapeKey(String key) {
        if (key.equals("%")) {
            return "";
        }
        if (key.indexOf('%') < 0) {
            return key;
        }
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '%' && i + 2 < key.length()) {
                String code = key.substring(i + 1, i + 3);
                out.append(code.equals("2E") ? '.' : code.equals("24") ? '$' : '%');
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static Document toBson(Map<String, ?> map) {
        Document doc = new Document();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            doc.append(escapeKey(e.getKey()), toBsonValue(e.getValue()));
        }
        return doc;
    }

    private static Object toBsonValue(Object value) {
        if (value instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, ?> typed = (Map<String, ?>) m;
            return toBson(typed);
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(toBsonValue(v)));
            return out;
        }
        return value;
    }

    /**
     * Reads stored user data back. Stored values are trusted (DESIGN, "Compatibility"): the
     * write-time limits and character rules are not re-run, so data written under other rules
     * stays readable.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> fromBson(Object doc) {
        if (doc == null) {
            return Map.of();
        }
        return Json.trustedCopy((Map<String, ?>) fromBsonValue(doc));
    }

    /** Reads stored labels back, trusted like {@link #fromBson}. */
    @SuppressWarnings("unchecked")
    static Map<String, String> labels(Object doc) {
        if (doc == null) {
            return Map.of();
        }
        return Json.trustedLabels((Map<String, String>) fromBsonValue(doc));
    }

    private static Object fromBsonValue(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(unescapeKey((String) e.getKey()), fromBsonValue(e.getValue()));
            }
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(fromBsonValue(v)));
            return out;
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        return value;
    }

    static boolean isDuplicateKey(MongoException e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY
                || e instanceof MongoServerException s && ErrorCategory.fromErrorCode(s.getCode()) == ErrorCategory.DUPLICATE_KEY;
    }
}
