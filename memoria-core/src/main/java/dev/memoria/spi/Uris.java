package dev.memoria.spi;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Store URIs as they may be shown to people: with every credential masked. Every message and
 * {@code toString} that names a store URI goes through {@link #redact(String)}, so a password
 * never reaches a log or a terminal.
 */
public final class Uris {
    /** {@code scheme://user:secret@host}: the secret of the user-info part. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/?#@:]*):([^/?#@]*)@");
    /** {@code ?password=…}, {@code &sslpassword=…}, {@code token=…}: values of secret-looking query options. */
    private static final Pattern SECRET_OPTION = Pattern.compile("([?&;][^=&;#]*(?:password|passwd|pwd|secret|token|key)[^=&;#]*=)([^&;#]*)",
            Pattern.CASE_INSENSITIVE);

    /** The shortest secret masked where it appears on its own in a text, outside its URI. */
    private static final int MIN_QUOTED_SECRET = 4;

    private Uris() {
    }

    /**
     * @param uri a store URI, or null
     * @return the URI with passwords, secrets and tokens replaced by {@code ***}
     */
    public static String redact(String uri) {
        if (uri == null) {
            return null;
        }
        String out = USER_INFO.matcher(uri).replaceAll("$1:***@");
        Matcher m = SECRET_OPTION.matcher(out);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + (m.group(2).isEmpty() ? "" : "***")));
        }
        m.appendTail(b);
        return b.toString();
    }

    /**
     * Masks every occurrence of a URI's secrets in a text, such as a driver's message that quotes
     * the URI it was given.
     *
     * @param text a message
     * @param uri the URI whose secrets must not appear in it
     * @return the text with the URI redacted wherever it appears
     */
    public static String redactIn(String text, String uri) {
        if (text == null || uri == null || uri.isEmpty()) {
            return text;
        }
        String redacted = text.replace(uri, redact(uri));
        // a secret quoted on its own (a driver's "password x was refused"); one shorter than
        // MIN_QUOTED_SECRET would mask ordinary words and letters, and passes unmasked
        Matcher info = USER_INFO.matcher(uri);
        if (info.find() && info.group(2).length() >= MIN_QUOTED_SECRET) {
            redacted = redacted.replace(info.group(2), "***");
        }
        Matcher m = SECRET_OPTION.matcher(uri);
        while (m.find()) {
            if (m.group(2).length() >= MIN_QUOTED_SECRET) {
                redacted = redacted.replace(m.group(2), "***");
            }
        }
        return redacted;
    }

    /**
     * @param uri a store URI
     * @return its scheme in lower case, up to and including the first colon, such as {@code "sqlite:"}
     */
    public static String scheme(String uri) {
        int colon = uri.indexOf(':');
        return (colon < 0 ? uri : uri.substring(0, colon + 1)).toLowerCase(Locale.ROOT);
    }
}
