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
            EventsCommand.class, ExportCommand.class, ImportCommand.class, CopyCommand.class, PruneCommand.class,
            StatsCommand.class, SchemaCommand.class})
public final class Main implements Runnable {
    /** Exit code of a command that failed. */
    public static final int FAILED = 1;
    /** Exit code of a command given bad arguments. */
    public static final int BAD_USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

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
        args = subcommandFirst(args);
        List<String> secrets = secretsIn(args);
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? BAD_USAGE : FAILED);
        cli.setParameterExceptionHandler((e, a) -> {
            String command = e.getCommandLine().getCommandName().equals("memoria") ? "" : e.getCommandLine().getCommandName() + " ";
            err.println(redact("memoria: " + e.getMessage() + " (see 'memoria " + command + "--help')", secrets));
            return BAD_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                    || parseResult.hasMatchedOption("--verbose");
            boolean usage = e instanceof IllegalArgumentException && !(e.getCause() instanceof Exception);
            String line = "memoria: " + (usage ? e.getMessage() : describe(e));
            // a message the code wrote whole, with no cause below it, has no details to show
            boolean selfContained = e instanceof CliException || e instanceof MemoriaException && e.getCause() == null;
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

    /**
     * Lets the shared options come before the subcommand too ({@code memoria --store URI sessions}):
     * they are moved after it, where each subcommand declares them.
     */
    static String[] subcommandFirst(String[] args) {
        List<String> leading = new ArrayList<>();
        int i = 0;
        while (i < args.length) {
            if (args[i].equals("--store") && i + 1 < args.length) {
                leading.add(args[i]);
                leading.add(args[i + 1]);
                i += 2;
            } else if (args[i].startsWith("--store=") || args[i].equals("--verbose")) {
                leading.add(args[i]);
                i++;
            } else {
                break;
            }
        }
        if (leading.isEmpty() || i == args.length || args[i].startsWith("-")) {
            return args;
        }
        List<String> reordered = new ArrayList<>();
        reordered.add(args[i]);
        reordered.addAll(leading);
        reordered.addAll(java.util.Arrays.asList(args).subList(i + 1, args.length));
        return reordered.toArray(new String[0]);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof MemoriaException || e instanceof CliException) {
            return message.lines().findFirst().orElse(message);
        }
        return e.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse(message);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
