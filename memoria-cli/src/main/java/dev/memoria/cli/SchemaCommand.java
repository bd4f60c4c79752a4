package dev.memoria.cli;

import dev.memoria.jdbc.Dialect;
import dev.memoria.jdbc.JdbcStores;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the SQL schema, for DBAs who apply it by hand. */
@Command(name = "schema", description = "Print the SQL schema (for DBAs who apply it by hand).")
final class SchemaCommand implements Callable<Integer> {
    @Option(names = "--dialect", description = "sqlite or postgresql (default: ${DEFAULT-VALUE})", defaultValue = "sqlite")
    String dialect;

    @Option(names = "--prefix", description = "table prefix (default: ${DEFAULT-VALUE})", defaultValue = "memoria_")
    String prefix;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Dialect d = switch (dialect.toLowerCase(java.util.Locale.ROOT)) {
            case "sqlite" -> Dialect.SQLITE;
            case "postgresql", "postgres" -> Dialect.POSTGRESQL;
            default -> throw new IllegalArgumentException("--dialect: expected sqlite or postgresql, got '" + dialect + "'");
        };
        spec.commandLine().getOut().print(JdbcStores.schema(d, prefix));
        return 0;
    }
}
