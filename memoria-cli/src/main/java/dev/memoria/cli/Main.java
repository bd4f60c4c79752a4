package dev.memoria.cli;

import dev.memoria.MemoriaException;
import dev.memoria.spi.Uris;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code memoria} command. Exit codes: 0 on success, 1 on failure, 2 on bad usage. An error
 * is one line on stderr; {@code --verbose} adds the stack trace.
 */
// the help options are inherited: every usage error points to 'memoria COMMAND --help'
@Command(name = "memoria", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "memoria 0.1.0",
        description = "Durable memory for AI agents: see, run and manage what agents stored.",
        subcommands = {DemoCommand.class, ChatCommand.class, SessionsCommand.class, ShowCommand.class,
            EventsCommand.class, ViewCommand.class, CompactCommand.class, RewindCommand.class, ForkCommand.class, RunsCommand.class, ResumeCommand.class, CancelCommand.class, EndCommand.class, DeleteCommand.class, ExportCommand.class, ImportCommand.class,
            CopyCommand.class, FactsCommand.class, PruneCommand.class, StatsCommand.class, SchemaCommand.class})
public final class Main implements Runnable {
    /** Exit code of a command that failed. */
    public static final int FAILED = 1;
    /** Exit code of a command given bad arguments. */
    public static final int BAD_USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** What the shared options say; every command reads it through its {@code @ParentCommand}. */
    final StoreOption store = new StoreOption();

    // inherited by every command, so that they go before or after the command's name alike
    @CommandLine.Option(names = "--store", paramLabel = "URI", scope = CommandLine.ScopeType.INHERIT,
            description = {"where the stores are: sqlite:PATH, jdbc:postgresql://HOST/DB?user=..., "
                    + "mongodb://HOST/DB or memory: (default: $MEMORIA_STORE, else " + StoreOption.DEFAULT_STORE + ").",
                "Commands that only read refuse a SQLite file that does not exist; ~/ is the home folder.",
                "With no MongoDB server, a command fails after " + StoreOption.DEFAULT_MONGODB_TIMEOUT_MS + " ms; the URI's "
                    + "serverSelectionTimeoutMS, or else $" + StoreOption.MONGODB_TIMEOUT_ENV + ", sets another number of milliseconds."})
    void store(String uri) {
        store.store = uri;
    }

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "show stack traces on failure")
    void verbose(boolean verbose) {
        store.verbose = verbose;
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs a command line in this JVM, as the tests do.
     *
     * @param out standard output
     * @param err standard error
     * @param args the command line
     * @return the exit code
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        List<String> secrets = secretsIn(args);
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? BAD_USAGE : FAILED);
        cli.setParameterExceptionHandler((e, a) -> {
            // "facts forget ", for a subcommand of a subcommand
            String qualified = e.getCommandLine().getCommandSpec().qualifiedName(" ");
            String command = qualified.equals("memoria") ? "" : qualified.substring(qualified.indexOf(' ') + 1) + " ";
            String suggestion = "";
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                suggestion = "; did you mean " + String.join(" or ", likely(unmatched).stream()
                        .map(s -> "'memoria " + command + s + "'").toList()) + "?";
            }
            err.println(redact("memoria: " + withoutErrorPrefix(e.getMessage()) + suggestion + " (see 'memoria " + command
                    + "--help')", secrets));
            return BAD_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                    || parseResult.hasMatchedOption("--verbose");
            // exit code 2 is for a command line that cannot work as given, 1 for everything that went wrong running it
            boolean usage = e instanceof CliException.Usage;
            String line = "memoria: " + withoutErrorPrefix(describe(e));
            // a message the code wrote whole, with no cause below it, has no details to show
            boolean selfContained = e instanceof CliException && (usage || e.getCause() == null)
                    || e instanceof MemoriaException && e.getCause() == null;
            if (!verbose && !usage && !selfContained) {
                line += " (--verbose shows details)";
            }
            err.println(redact(line, secrets));
            if (verbose) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                err.print(redact(trace.toString(), secrets));
            }
            return usage ? BAD_USAGE : FAILED;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * The suggestions that are a typo away from what was typed (an edit distance of at most a
     * third of its length, and at least 2), best first; picocli's own, whose similarity also
     * offers 'runs' for 'sesions', when none is. Never empty when picocli had one.
     */
    static List<String> likely(CommandLine.UnmatchedArgumentException unmatched) {
        List<String> all = unmatched.getSuggestions();
        List<String> typed = unmatched.getUnmatched();
        if (typed.isEmpty()) {
            return all;
        }
        String word = typed.get(0).replaceFirst("^-+", "");
        List<String> close = all.stream().filter(s -> distance(word, s.replaceFirst("^-+", ""))
                <= Math.max(2, word.length() / 3)).toList();
        return close.isEmpty() ? all.subList(0, 1) : close;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** picocli's and some drivers' messages start with "Error: ", which after "memoria: " says it twice. */
    private static String withoutErrorPrefix(String message) {
        return message != null && message.startsWith("Error: ") ? message.substring("Error: ".length()) : message;
    }

    /**
     * What may carry credentials in this command line: every argument (and the value of an
     * {@code --option=value}), and {@code MEMORIA_STORE}. An argument that is no URI masks nothing.
     */
    private static List<String> secretsIn(String[] args) {
        List<String> secrets = new ArrayList<>();
        for (String arg : args) {
            secrets.add(arg);
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                secrets.add(arg.substring(equals + 1));
            }
        }
        String fromEnv = StoreOption.env.apply("MEMORIA_STORE");
        if (fromEnv != null) {
            secrets.add(fromEnv);
        }
        return secrets;
    }

    /** A text with the credentials of every URI in {@code uris} masked. */
    static String redact(String text, List<String> uris) {
        String redacted = text;
        for (String uri : uris) {
            redacted = Uris.redactIn(redacted, uri);
        }
        return redacted;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof MemoriaException || e instanceof CliException || e instanceof IllegalArgumentException) {
            return message.lines().findFirst().orElse(message); // they name what they refer to
        }
        return e.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse(message);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
