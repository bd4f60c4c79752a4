package dev.memoria.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long work on stderr: a bar redrawn in place on a terminal, plain lines every few
 * seconds otherwise (logs, pipes, tests).
 */
final class Progress {
    private static final long PLAIN_EVERY_NANOS = 2_000_000_000L;
    private static final long BAR_EVERY_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String what;
    private final long total;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long done;
    private long lastShown;


    Progress(PrintWriter err, String what, long total, boolean terminal) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.terminal = terminal;
        this.lastShown = started;
    }

    static boolean onTerminal() {
        return System.console() != null;
    }

    void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastShown >= (terminal ? BAR_EVERY_NANOS : PLAIN_EVERY_NANOS)) {
            lastShown = now;
            show(false);
        }
    }

    void finish() {
        show(true);
    }

    private void show(boolean last) {
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        String rate = String.format(Locale.ROOT, "%,.0f %s/s", done / seconds, what);
        String count = total > 0 ? String.format(Locale.ROOT, "%,d/%,d %s", done, total, what)
                : String.format(Locale.ROOT, "%,d %s", done, what);
        if (terminal) {
            int width = 24;
            int filled = total > 0 ? (int) Math.min(width, done * width / total) : (int) (done / 100 % (width + 1));
            err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + count + "  " + rate + "   ");
            if (last) {
                err.println();
            }
        } else {
            err.println((last ? "done: " : "progress: ") + count + ", " + rate);
        }
        err.flush();
    }
}
