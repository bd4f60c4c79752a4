package dev.memoria.cli;

import static dev.memoria.cli.CliTest.memoria;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI makes of a store URI: readers never create a store, credentials are never shown, MongoDB fails fast. */
class StoreUriTest {
    @TempDir
    Path dir;

    @AfterEach
    void realEnvironment() {
        StoreOption.env = System::getenv;
        ChatCommand.input = System.in;
    }

    @Test
    void commandsThatOnlyReadRefuseAMissingSqliteFileNamingItAndCreateNothing() throws Exception {
        Path typo = dir.resolve("typo.db");
        Path copyTarget = dir.resolve("copy-target.db");
        String uri = "sqlite:" + typo;
        List<List<String>> readers = List.of(
                List.of("sessions", "--store", uri),
                List.of("show", "demo", "--store", uri),
                List.of("events", "some-run", "--store", uri),
                List.of("runs", "--store", uri),
                List.of("resume", "some-run", "--approve", "--store", uri),
                List.of("cancel", "some-run", "--store", uri),
                List.of("export", "--store", uri),
                List.of("export", "--store", uri, "--out", dir.resolve("out.jsonl").toString()),
                List.of("stats", "--store", uri),
                List.of("prune", "--store", uri, "--inactive-for", "30d"),
                List.of("copy", "--from", uri, "--to", "sqlite:" + copyTarget),
                List.of("sessions", "--store", "jdbc:sqlite:" + typo),
                List.of("sessions", "--store", uri + "?durability=NORMAL"));
        for (List<String> command : readers) {
            CliTest.Result r = memoria(command.toArray(String[]::new));
            assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(Main.FAILED);
            assertThat(r.err().lines()).as("one line").containsExactly("memoria: no SQLite database at " + typo
                    + " (check the path; it is not created, since only an existing store was asked for)");
            assertThat(r.out()).isEmpty();
            assertThat(typo).as(command.toString()).doesNotExist();
        }
        assertThat(copyTarget).as("nothing copied, nothing created").doesNotExist();
        try (var listing = Files.list(dir)) {
            assertThat(listing.toList()).isEmpty();
        }

        CliTest.Result created = memoria("demo", "--store", uri);
        assertThat(created.code()).as("a writer creates the store").isZero();
        assertThat(typo).exists();
        assertThat(memoria("sessions", "--store", uri).out()).contains("demo");
        assertThat(memoria("copy", "--from", uri, "--to", "sqlite:" + copyTarget).code()).isZero();
        assertThat(copyTarget).as("copy's target is a writer").exists();
        Path file = dir.resolve("all.jsonl");
        memoria("export", "--store", uri, "--out", file.toString());
        Path imported = dir.resolve("imported.db");
        assertThat(memoria("import", file.toString(), "--store", "sqlite:" + imported).code()).isZero();
        assertThat(imported).as("import is a writer").exists();
    }

    @Test
    void tildeIsTheHomeFolderForReadersAndWriters() {
        Path home = dir.resolve("home");
        String before = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            CliTest.Result demo = memoria("demo", "--store", "sqlite:~/x.db");
            assertThat(demo.code()).as(demo.err()).isZero();
            assertThat(home.resolve("x.db")).exists();
            assertThat(Path.of("~")).as("no folder named ~ in the working directory").doesNotExist();
            assertThat(memoria("sessions", "--store", "sqlite:~/x.db").out()).contains("demo", "demo-user");
            CliTest.Result typo = memoria("sessions", "--store", "sqlite:~/typo.db");
            assertThat(typo.code()).isEqualTo(Main.FAILED);
            assertThat(typo.err()).startsWith("memoria: no SQLite database at " + home.resolve("typo.db") + " ");
            assertThat(home.resolve("typo.db")).doesNotExist();
        } finally {
            System.setProperty("user.home", before);
        }
    }

    @Test
    void theUriOpenedAddsCreateFalseForReadersAndAShortServerSelectionTimeoutForMongodb() {
        assertThat(StoreOption.effective("sqlite:a.db", true)).isEqualTo("sqlite:a.db?create=false");
        assertThat(StoreOption.effective("sqlite:a.db?durability=NORMAL", true)).isEqualTo("sqlite:a.db?durability=NORMAL&create=false");
        assertThat(StoreOption.effective("jdbc:sqlite:a.db", true)).isEqualTo("jdbc:sqlite:a.db?create=false");
        assertThat(StoreOption.effective("sqlite:a.db?create=true", true)).as("the user's own choice").isEqualTo("sqlite:a.db?create=true");
        assertThat(StoreOption.effective("sqlite:a.db", false)).isEqualTo("sqlite:a.db");
        assertThat(StoreOption.effective("memory:", true)).isEqualTo("memory:");
        assertThat(StoreOption.effective("jdbc:postgresql://h/db?user=u", true)).isEqualTo("jdbc:postgresql://h/db?user=u");

        assertThat(StoreOption.effective("mongodb://h/db", true)).isEqualTo("mongodb://h/db?serverSelectionTimeoutMS=5000");
        assertThat(StoreOption.effective("mongodb+srv://h/db?retryWrites=true", false))
                .isEqualTo("mongodb+srv://h/db?retryWrites=true&serverSelectionTimeoutMS=5000");
        assertThat(StoreOption.effective("mongodb://h:1", false)).isEqualTo("mongodb://h:1/?serverSelectionTimeoutMS=5000");
        assertThat(StoreOption.effective("mongodb://h/db?serverselectiontimeoutms=60000", true))
                .as("the user's own value, in any case").isEqualTo("mongodb://h/db?serverselectiontimeoutms=60000");
        StoreOption.env = name -> name.equals(StoreOption.MONGODB_TIMEOUT_ENV) ? "1234" : null;
        assertThat(StoreOption.effective("mongodb://h/db", true)).isEqualTo("mongodb://h/db?serverSelectionTimeoutMS=1234");
        StoreOption.env = name -> name.equals(StoreOption.MONGODB_TIMEOUT_ENV) ? "soon" : null;
        assertThatThrownBy(() -> StoreOption.effective("mongodb://h/db", true))
                .hasMessage("$MEMORIA_MONGODB_TIMEOUT_MS: expected a positive number of milliseconds (such as 5000), got 'soon'");
        assertThat(memoria("sessions", "--store", "mongodb://127.0.0.1:1/x").code()).as("a usage error").isEqualTo(Main.BAD_USAGE);
        assertThat(memoria("sessions", "--help").out()).contains("serverSelectionTimeoutMS", "MEMORIA_MONGODB_TIMEOUT_MS");
    }

    @Test
    void aMongodbServerThatIsNotThereFailsInSecondsWithOneLine() {
        long started = System.nanoTime();
        CliTest.Result r = memoria("sessions", "--store", "mongodb://127.0.0.1:1/x");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(r.code()).as(r.err()).isEqualTo(Main.FAILED);
        assertThat(seconds).as("the driver alone waits 30 s").isLessThan(10);
        assertThat(r.err().lines()).as("one line").hasSize(1);
        assertThat(r.err()).startsWith("memoria: ").contains("127.0.0.1:1", "serverSelectionTimeoutMS");

        StoreOption.env = name -> name.equals(StoreOption.MONGODB_TIMEOUT_ENV) ? "300" : null;
        started = System.nanoTime();
        CliTest.Result shorter = memoria("sessions", "--store", "mongodb://127.0.0.1:1/x");
        assertThat(shorter.code()).isEqualTo(Main.FAILED);
        assertThat(System.nanoTime() - started).as("$MEMORIA_MONGODB_TIMEOUT_MS=300 reaches the driver")
                .isLessThan(3_000_000_000L);
    }

    /**
     * Every command that names its store, on URIs whose credentials must never reach the terminal:
     * PostgreSQL and MongoDB servers that are not there (the failure paths), and the in-process
     * MongoDB server (the success paths; it takes no credentials, so the secret rides in an option
     * the driver ignores and Memoria masks like any password).
     */
    @Test
    void credentialsAreMaskedInEveryLineOfEveryCommand() throws Exception {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            String live = "mongodb://" + address.getHostString() + ":" + address.getPort()
                    + "/creds?tlsCertificateKeyFilePassword=hunter2-live";
            Map<String, String> uris = Map.of(
                    "password=pw", "jdbc:postgresql://127.0.0.1:1/db?user=u&password=pw",
                    "pg-secret-9", "jdbc:postgresql://u:pg-secret-9@127.0.0.1:1/db",
                    "mongo-secret-9", "mongodb://u:mongo-secret-9@127.0.0.1:1/db?serverSelectionTimeoutMS=300",
                    "hunter2-live", live);
            assertThat(memoria("demo", "--store", live).code()).isZero();
            String liveRun = memoria("show", "demo", "--store", live).out().lines()
                    .filter(l -> l.contains(" run ")).findFirst().orElseThrow().replaceAll(".* run ", "");
            Path export = dir.resolve("e.jsonl");
            memoria("export", "--store", live, "--out", export.toString());
            List<String> checked = new ArrayList<>();
            for (Map.Entry<String, String> e : uris.entrySet()) {
                String secret = e.getKey();
                String uri = e.getValue();
                List<List<String>> commands = List.of(
                        List.of("sessions", "--store", uri),
                        List.of("sessions", "--store=" + uri, "--verbose"),
                        List.of("--store", uri, "sessions"),
                        List.of("import", export.toString(), "--store", uri),
                        List.of("copy", "--from", uri, "--to", "memory:"),
                        List.of("copy", "--from", "memory:", "--to", uri, "--verbose"),
                        List.of("copy", "--from", uri, "--to", uri),
                        List.of("sessions", "--store", uri, "--limit", "0"),
                        List.of("sessions", "--store", uri, "--no-such-option=" + uri),
                        List.of("show", "demo", "--store", uri),
                        List.of("show", "nope", "--store", uri),
                        List.of("events", liveRun, "--store", uri),
                        List.of("events", "nope", "--store", uri, "--verbose"),
                        List.of("runs", "--store", uri, "--status", "COMPLETED", "--limit", "1"),
                        List.of("resume", "nope", "--approve", "--store", uri),
                        List.of("cancel", "nope", "--store", uri, "--verbose"),
                        List.of("export", "--store", uri),
                        List.of("stats", "--store", uri),
                        List.of("prune", "--store", uri, "--inactive-for", "30d"),
                        List.of("demo", "--store", uri, "--session", "other"),
                        List.of("chat", "--store", uri, "--verbose"),
                        List.of("copy", "--from", "sqlite:" + dir.resolve("none.db"), "--to", uri));
                ChatCommand.input = new ByteArrayInputStream("what is 1 + 1\n".getBytes(StandardCharsets.UTF_8));
                // side by side: each unreachable server costs about a second per command
                List<CompletableFuture<CliTest.Result>> results = commands.stream()
                        .map(c -> CompletableFuture.supplyAsync(() -> memoria(c.toArray(String[]::new)), pool)).toList();
                for (int i = 0; i < commands.size(); i++) {
                    CliTest.Result r = results.get(i).get(1, TimeUnit.MINUTES);
                    assertThat(r.out() + r.err()).as(commands.get(i) + " printed:\n" + r.out() + r.err()).doesNotContain(secret);
                    checked.add(r.code() + " " + commands.get(i).get(0));
                }
            }
            assertThat(checked).as("the live store's commands succeeded, so their success lines were checked too")
                    .contains("0 sessions", "0 show", "0 events", "0 runs", "0 export", "0 stats", "0 prune", "0 demo", "0 chat",
                            "0 import", "0 copy");
            CliTest.Result stats = memoria("stats", "--store", live);
            assertThat(stats.out()).contains("Store: mongodb://" + address.getHostString() + ":" + address.getPort()
                    + "/creds?tlsCertificateKeyFilePassword=***");
        } finally {
            pool.shutdownNow();
            server.shutdownNow();
        }
    }
}
