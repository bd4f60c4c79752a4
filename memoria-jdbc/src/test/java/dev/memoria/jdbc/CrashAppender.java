package dev.memoria.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A child process for the crash and multi-process tests: appends events to one run and prints
 * {@code ack SEQUENCE INDEX} after each append returns, until it has written {@code count} events
 * (or forever, for -1) or is killed.
 *
 * <p>Arguments: {@code sqlite FILE | postgres URL PREFIX}, then {@code RUN_ID TAG COUNT}, and
 * optionally {@code gated}: then it waits for a line on its standard input after printing
 * {@code ready}, so that a test can release several children at the same moment; and
 * {@code threads=N}: N threads append to the run at once (group commit, G2), thread t with the
 * tag {@code TAG + "t" + t}, each printing its own acknowledgements.
 */
public final class CrashAppender {
    private CrashAppender() {
    }

    public static void main(String[] args) throws Exception {
        int at = 0;
        Stores stores;
        HikariDataSource ds = null;
        if (args[at++].equals("sqlite")) {
            stores = JdbcStores.sqlite(Path.of(args[at++]));
        } else {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(args[at++]);
            config.setMaximumPoolSize(2);
            ds = new HikariDataSource(config);
            stores = JdbcStores.create(ds, JdbcOptions.defaults().tablePrefix(args[at++]));
        }
        RunRef run = new RunRef("crash-session", "agent", args[at++]);
        String tag = args[at++];
        long count = Long.parseLong(args[at++]);
        boolean gated = false;
        int threads = 1;
        for (int i = at; i < args.length; i++) {
            if (args[i].equals("gated")) {
                gated = true;
            } else if (args[i].startsWith("threads=")) {
                threads = Integer.parseInt(args[i].substring("threads=".length()));
            }
        }
        PrintStream out = System.out;
        out.println("ready");
        out.flush();
        if (gated) {
            new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
        }
        if (threads == 1) {
            for (long i = 0; count < 0 || i < count; i++) {
                MemoryEvent stored = stores.memory().append(run, List.of(event(tag, i))).get(0);
                out.println("ack " + stored.sequence() + " " + i);
                out.flush();
            }
        } else {
            List<Thread> writers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String threadTag = tag + "t" + t;
                Thread writer = new Thread(() -> {
                    for (long i = 0; count < 0 || i < count; i++) {
                        MemoryEvent stored = stores.memory().append(run, List.of(event(threadTag, i))).get(0);
                        synchronized (out) {
                            out.println("ack " + stored.sequence() + " " + i);
                            out.flush();
                        }
                    }
                });
                writers.add(writer);
                writer.start();
            }
            for (Thread writer : writers) {
                writer.join();
            }
        }
        stores.close();
        if (ds != null) {
            ds.close();
        }
    }

    static Event event(String tag, long i) {
        return new Event(tag + "-" + i, EventType.TOOL_RESULT, null,
                Map.of("tag", tag, "i", i, "payload", "\u00e9\uD83D\uDE00'\";--".repeat((int) (i % 50) + 1)), Map.of("tag", tag));
    }
}
