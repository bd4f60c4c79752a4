package dev.memoria.cli;

import dev.memoria.MemoriaException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code memoria} command. Exit codes: 0 on success, 1 on failure, 2 on bad usage. An error
 * is one line on stderr; {@code --verbose} adds the stack trace.
 */
@Command(name = "memoria", mixinStandardHelpOptions = true, version = "memoria 0.1.0",
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
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? BAD_USAGE : FAILED);
        cli.setParameterExceptionHandler((e, a) -> {
            String command = e.getCommandLine().getCommandName().equals("memoria") ? "" : e.getCommandLine().getCommandName() + " ";
            err.println("memoria: " + e.getMessage() + " (see 'memoria " + command + "--help')");
            return BAD_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                    || parseResult.hasMatchedOption("--verbose");
            if (e instanceof IllegalArgumentException && !(e.getCause() instanceof Exception)) {
                err.println("memoria: " + e.getMessage());
                if (verbose) {
                    e.printStackTrace(err);
                }
                return BAD_USAGE;
            }
            if (verbose) {
                err.println("memoria: " + describe(e));
                e.printStackTrace(err);
            } else {
                err.println("memoria: " + describe(e) + " (--verbose shows details)");
            }
            return FAILED;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Lets the shared options come before the subcommand too ({@code memoria --store URI sessions}):
     * they are moved after it, where each subcommand declares them.
     */
    static String[] subcommandFirst(String[] args) {
        java.util.List<String> leading = new java.util.ArrayList<>();
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
        java.util.List<String> reordered = new java.util.ArrayList<>();
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
