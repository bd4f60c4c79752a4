package dev.memoria.cli;

import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.spi.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Long-term facts (K1–K10): list, search and forget them. */
@Command(name = "facts", description = {"See and forget the long-term facts agents learned (list, search, forget).",
    "Namespaces are paths such as users/ada; a namespace holds the facts of those below it too."},
        subcommands = {FactsCommand.ListFacts.class, FactsCommand.SearchFacts.class, FactsCommand.Forget.class})
final class FactsCommand implements Runnable {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The store's facts, or a failure that says which stores keep them. */
    static FactStore facts(Stores stores, StoreOption store) {
        FactStore facts = Transfer.factStore(stores);
        if (facts == null) {
            throw new CliException(store.shown() + " keeps no facts (its backend has no fact store): list, search and"
                    + " forget facts in a store that has one, such as SQLite or PostgreSQL");
        }
        return facts;
    }

    static Namespace namespace(CommandLine.Model.CommandSpec spec, String path) {
        if (path == null) {
            return Namespace.ROOT;
        }
        try {
            return Namespace.parse(path);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--namespace: " + e.getMessage());
        }
    }

    /**
     * Whether a fact is an extractor's bookkeeping (its watermark in {@code memoria.extractors/ID}),
     * which a listing or search of every namespace leaves out: name the namespace to see them.
     */
    static boolean bookkeeping(Namespace asked, Fact f) {
        return asked.isRoot() && !f.namespace().isRoot()
                && f.namespace().segments().get(0).equals(dev.memoria.fact.FactIngestion.WATERMARKS);
    }

    /** One fact as a table row: id, namespace, key vN, validity, text, source. */
    static String[] row(Fact f) {
        return new String[] {Render.id(f.id()), Render.shorten(f.namespace().path(), 24),
            f.key() == null ? "-" : Render.shorten(f.key(), 20) + " v" + f.version(),
            f.isCurrent() ? "current" : "until " + Render.when(f.validTo()), Render.shorten(f.text(), 40),
            f.source() == null ? "-" : Render.run(f.source().run().runId()) + "#" + f.source().sequence()};
    }

    static final String[] COLUMNS = {"ID", "NAMESPACE", "KEY", "VALID", "TEXT", "SOURCE"};

    /** A fact as one JSON line: the export's fact record, without its kind. */
    static String json(Fact f, Double score) {
        Map<String, Object> record = Transfer.fact(f);
        record.remove("kind");
        if (score != null) {
            record.put("score", score);
        }
        return Json.write(record);
    }

    /** Lists facts, newest first, one page at a time, with the command line for the next page. */
    @Command(name = "list", description = {"List facts, newest first: the current ones, those that held at --at, or every"
            + " version with --all-versions.", "Expired facts are never listed. Without --namespace, the extractors'"
            + " watermarks (namespace " + dev.memoria.fact.FactIngestion.WATERMARKS + ") are left out."})
    static final class ListFacts implements Callable<Integer> {
        @ParentCommand
        FactsCommand facts;

        @Option(names = "--namespace", paramLabel = "NS", description = "only facts in this namespace and below it, e.g."
                + " users/ada (default: every namespace)")
        String namespace;

        @Option(names = "--key", paramLabel = "K", description = "only facts with this key")
        String key;

        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "only facts with this label (repeatable)")
        Map<String, String> labels = new TreeMap<>();

        @Option(names = "--at", paramLabel = "INSTANT", description = "the facts that held then, e.g. 2026-01-31T12:00:00Z")
        String at;

        @Option(names = "--all-versions", description = "every version, superseded ones included")
        boolean allVersions;

        @Option(names = "--limit", description = "at most this many per page (default: ${DEFAULT-VALUE})", defaultValue = "20")
        int limit;

        @Option(names = "--cursor", description = "continue a listing from the cursor it printed")
        String cursor;

        @Option(names = "--all", description = "every page, not just one")
        boolean all;

        @Option(names = "--json", description = "print JSON Lines instead of a table (the next page's command goes to stderr)")
        boolean json;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Namespace ns = namespace(spec, namespace);
            FactQuery query = FactQuery.in(ns).limit(Usage.limit(spec, "--limit", limit));
            if (key != null) {
                query = query.key(key);
            }
            if (!labels.isEmpty()) {
                query = query.labels(labels);
            }
            if (at != null && allVersions) {
                throw new ParameterException(spec.commandLine(), "--at and --all-versions exclude each other: --at lists the"
                        + " versions that held then, --all-versions every version");
            }
            if (at != null) {
                try {
                    query = query.validAt(Instant.parse(at));
                } catch (DateTimeParseException e) {
                    throw new ParameterException(spec.commandLine(), "--at: expected an ISO-8601 instant such as"
                            + " 2026-01-31T12:00:00Z, got '" + at + "'");
                }
            }
            if (allVersions) {
                query = query.allVersions();
            }
            StoreOption store = facts.main.store;
            try (Stores stores = store.openExisting()) {
                FactStore factStore = facts(stores, store);
                List<String[]> rows = new ArrayList<>();
                rows.add(COLUMNS);
                String next = cursor;
                int listed = 0;
                do {
                    FactQuery page = query.cursor(next);
                    Page<FactMatch> found = Usage.cursor(spec, () -> factStore.search(page));
                    for (FactMatch m : found.items()) {
                        if (bookkeeping(ns, m.fact())) {
                            continue;
                        }
                        listed++;
                        if (json) {
                            out.println(json(m.fact(), null));
                        } else {
                            rows.add(row(m.fact()));
                        }
                    }
                    next = found.nextCursor();
                    // a page of watermarks only shows nothing: go on to one that shows something
                } while (next != null && (all || listed == 0));
                if (!json) {
                    if (listed == 0) {
                        out.println("No facts" + (ns.isRoot() ? "" : " under " + ns.path()) + " in " + store.shown()
                                + (cursor == null ? "." : " after this cursor."));
                    } else {
                        out.print(Render.table(rows));
                    }
                }
                if (next != null) {
                    Usage.more(spec, json, nextPage(next));
                }
            }
            return 0;
        }

        private String nextPage(String next) {
            StringBuilder line = new StringBuilder("memoria facts list");
            if (namespace != null) {
                line.append(" --namespace ").append(Usage.quote(namespace));
            }
            if (key != null) {
                line.append(" --key ").append(Usage.quote(key));
            }
            labels.forEach((k, v) -> line.append(" --label ").append(Usage.quote(k + "=" + v)));
            if (at != null) {
                line.append(" --at ").append(Usage.quote(at));
            }
            if (allVersions) {
                line.append(" --all-versions");
            }
            if (limit != 20) {
                line.append(" --limit ").append(limit);
            }
            if (json) {
                line.append(" --json");
            }
            return line.append(facts.main.store.option()).append(" --cursor ").append(next).toString();
        }
    }

    /** Word search over current facts, best first. */
    @Command(name = "search", description = {"Find current facts holding every word of TEXT, best first, with their score.",
        "Words match whatever their case and accents; TEXT is words, never query syntax.",
        "Without --namespace, every namespace but the extractors' watermarks (" + dev.memoria.fact.FactIngestion.WATERMARKS
            + ")."})
    static final class SearchFacts implements Callable<Integer> {
        @ParentCommand
        FactsCommand facts;

        @Parameters(paramLabel = "TEXT", description = "the words to find")
        String text;

        @Option(names = "--namespace", paramLabel = "NS", description = "only this namespace and those below it"
                + " (default: every namespace)")
        String namespace;

        @Option(names = "--limit", description = "at most this many (default: ${DEFAULT-VALUE})", defaultValue = "20")
        int limit;

        @Option(names = "--json", description = "print JSON Lines, each with its score, instead of a table")
        boolean json;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Namespace ns = namespace(spec, namespace);
            FactQuery query;
            try {
                query = FactQuery.in(ns).text(text).limit(Usage.limit(spec, "--limit", limit));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "TEXT: " + e.getMessage());
            }
            StoreOption store = facts.main.store;
            try (Stores stores = store.openExisting()) {
                List<FactMatch> found = facts(stores, store).search(query).items().stream()
                        .filter(m -> !bookkeeping(ns, m.fact())).toList();
                if (json) {
                    found.forEach(m -> out.println(json(m.fact(), m.score())));
                    return 0;
                }
                if (found.isEmpty()) {
                    out.println("No current fact" + (ns.isRoot() ? "" : " under " + ns.path()) + " holds "
                            + (query.words().isEmpty() ? "any word of '" + text + "' (it has none)" : "every word of '" + text + "'")
                            + " in " + store.shown() + ".");
                    return 0;
                }
                List<String[]> rows = new ArrayList<>();
                String[] columns = new String[COLUMNS.length + 1];
                columns[0] = "SCORE";
                System.arraycopy(COLUMNS, 0, columns, 1, COLUMNS.length);
                rows.add(columns);
                for (FactMatch m : found) {
                    String[] row = row(m.fact());
                    String[] scored = new String[row.length + 1];
                    scored[0] = String.format(Locale.ROOT, "%.3f", m.score());
                    System.arraycopy(row, 0, scored, 1, row.length);
                    rows.add(scored);
                }
                out.print(Render.table(rows));
            }
            return 0;
        }
    }

    /** Removes one fact version, or every fact of a namespace. */
    @Command(name = "forget", description = {"Remove one fact version (--id), or every fact and version of a namespace"
            + " and those below it (--namespace), for good.",
        "The namespace form says how many it removes and asks first (without a terminal it needs --yes);"
            + " --dry-run only says what would be removed."})
    static final class Forget implements Callable<Integer> {
        @ParentCommand
        FactsCommand facts;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--id", paramLabel = "ID", description = "one fact version, by its id (other versions of its key stay)")
            String id;

            @Option(names = "--namespace", paramLabel = "NS", description = "every fact of this namespace and below it,"
                    + " e.g. users/ada; never the root")
            String namespace;
        }

        @Option(names = "--dry-run", description = "only say what would be removed")
        boolean dryRun;

        @Option(names = "--yes", description = "remove a namespace's facts without asking")
        boolean yes;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Namespace ns = target.namespace == null ? null : namespace(spec, target.namespace);
            if (ns != null && ns.isRoot()) {
                throw new ParameterException(spec.commandLine(), "--namespace: refusing the root namespace, which would"
                        + " forget every fact of the store; name one, such as users/ada (memoria facts list shows them)");
            }
            StoreOption store = facts.main.store;
            try (Stores stores = store.openExisting()) {
                FactStore factStore = facts(stores, store);
                if (ns == null) {
                    Fact f = factStore.get(target.id).orElseThrow(() -> new CliException("no fact '" + target.id + "' in "
                            + store.shown() + " (list them with: memoria facts list --all-versions" + store.option() + ")"));
                    String what = "fact " + f.id() + " (" + f.namespace().path() + (f.key() == null ? "" : ", " + f.key()
                            + " v" + f.version()) + "): " + Render.shorten(f.text(), 60);
                    if (dryRun) {
                        out.println("Would remove " + what);
                        return 0;
                    }
                    factStore.delete(f.id());
                    out.println("Removed " + what);
                    return 0;
                }
                long count = count(factStore, ns);
                String what = Render.count(count, "fact") + " (every version) under " + ns.path();
                if (count == 0) {
                    out.println("No facts under " + ns.path() + " in " + store.shown() + "; nothing to remove.");
                    return 0;
                }
                if (dryRun) {
                    out.println("Would remove " + what + ".");
                    return 0;
                }
                if (!yes) {
                    out.flush();
                    PruneCommand.Asker asker = PruneCommand.interactive.get();
                    if (asker == null) {
                        throw new CliException("not removing " + what + " without confirmation: re-run with --yes to"
                                + " remove them, or with --dry-run to only count them");
                    }
                    String answer = asker.ask("Remove " + what + "? [y/N] ");
                    if (answer == null || !(answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))) {
                        throw new CliException("nothing removed (not confirmed)");
                    }
                }
                long removed = factStore.deleteNamespace(ns);
                out.println("Removed " + Render.count(removed, "fact") + " (every version) under " + ns.path() + ".");
            }
            return 0;
        }

        private static long count(FactStore facts, Namespace ns) {
            FactQuery query = FactQuery.in(ns).allVersions().limit(dev.memoria.Limits.MAX_PAGE_SIZE);
            long n = 0;
            String cursor = null;
            do {
                Page<FactMatch> page = facts.search(query.cursor(cursor));
                n += page.items().size();
                cursor = page.nextCursor();
            } while (cursor != null);
            return n;
        }
    }
}
