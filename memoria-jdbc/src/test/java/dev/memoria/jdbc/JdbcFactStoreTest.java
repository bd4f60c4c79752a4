package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.ConflictException;
import dev.memoria.Stores;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.spi.Facts;
import dev.memoria.testkit.MutableClock;
import dev.memoria.testkit.WorkMeter;
import dev.memoria.testservers.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/** What the fact contract cannot see from outside: the word indexes, the encodings, the entry points, the meters. */
class JdbcFactStoreTest {
    private static final Namespace ADA = Namespace.of("users", "ada");
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    /** FTS5's own check of the index against the rows it was built from (external content). */
    private static void assertIndexAgreesWithFacts(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("INSERT INTO memoria_fact_words (memoria_fact_words, rank) VALUES ('integrity-check', 1)");
            try (ResultSet rs = s.executeQuery("SELECT (SELECT COUNT(*) FROM memoria_facts),"
                    + " (SELECT COUNT(*) FROM memoria_fact_words_docsize)")) {
                rs.next();
                assertThat(rs.getLong(2)).as("documents in the word index").isEqualTo(rs.getLong(1));
            }
        }
    }

    @Test
    void sqliteWordIndexAndFactsAgreeAfterFailedTransactionsAndEveryKindOfRemoval() throws Exception {
        Path file = dir.resolve("facts.db");
        MutableClock clock = new MutableClock(START);
        try (Stores stores = JdbcStores.sqlite(file, JdbcOptions.defaults().clock(clock))) {
            FactStore facts = stores.facts();
            facts.put(NewFact.builder(ADA, "Ada lives in Lyon").idempotencyKey("city-1").build());
            // the batch's first two facts reach the table and the index before the third fails:
            // the rollback takes both back out of both
            List<NewFact> batch = List.of(NewFact.of(ADA, "alpha one"), NewFact.of(ADA, "alpha two"),
                    NewFact.builder(ADA, "Ada lives in Rome").idempotencyKey("city-1").build());
            assertThatThrownBy(() -> facts.putAll(batch)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("idempotencyKey");
            assertThat(facts.search(FactQuery.in(ADA).text("alpha")).items()).isEmpty();
            assertThat(facts.search(FactQuery.in(ADA).limit(10)).items()).hasSize(1);
            assertIndexAgreesWithFacts(file);

            Fact tea = facts.put(NewFact.builder(ADA, "Ada prefers tea").key("drink").build());
            facts.put(NewFact.builder(ADA, "Ada prefers coffee").key("drink").build()); // supersedes: an update
            facts.put(NewFact.builder(ADA, "Ada is in a meeting").expiresAt(START.plusSeconds(60)).build());
            List<NewFact> notes = new ArrayList<>();
            for (int i = 0; i < 1_500; i++) {
                notes.add(NewFact.of(ADA.child("notes"), "note " + i + " about the garden"));
                if (notes.size() == 1000) {
                    facts.putAll(notes);
                    notes.clear();
                }
            }
            facts.putAll(notes);
            assertIndexAgreesWithFacts(file);
            assertThat(facts.delete(tea.id())).isTrue();
            clock.advance(Duration.ofMinutes(2));
            assertThat(facts.prune()).isEqualTo(1);
            assertThat(facts.deleteNamespace(ADA.child("notes"))).isEqualTo(1_500);
            assertIndexAgreesWithFacts(file);
            assertThat(facts.search(FactQuery.in(ADA).text("garden")).items()).isEmpty();
            assertThat(facts.search(FactQuery.in(ADA).text("coffee")).items()).hasSize(1);
        }
    }

    @Test
    void theIntegrityCheckWouldSeeAnIndexThatDisagrees() throws Exception {
        Path file = dir.resolve("broken.db");
        JdbcStores.sqlite(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER memoria_facts_words_insert");
            s.execute("INSERT INTO memoria_facts (id, namespace, text, words, data, labels, version, created_at, valid_from)"
                    + " VALUES ('x', 'users/ada', 'tea', 'tea', '{}', '{}', 1, 0, 0)");
        }
        assertThatThrownBy(() -> assertIndexAgreesWithFacts(file)).isInstanceOf(SQLException.class);
    }

    @Test
    void everyEntryPointHasFacts() throws Exception {
        String pg = PostgresServer.get().url();
        List<Stores> all = new ArrayList<>();
        try {
            all.add(Stores.open("sqlite:" + dir.resolve("uri.db")));
            SQLiteDataSource sqlite = new SQLiteDataSource();
            sqlite.setUrl("jdbc:sqlite:" + dir.resolve("datasource.db"));
            all.add(JdbcStores.create(sqlite));
            all.add(Stores.open(pg + (pg.contains("?") ? "&" : "?") + "prefix=" + PostgresServer.freshPrefix()));
            all.add(JdbcStores.create(PostgresServer.get().dataSource(),
                    JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix())));
            for (Stores stores : all) {
                Fact fact = stores.facts().put(NewFact.builder(ADA, "Ada prefers green tea").vector(new float[] {1, 0}).build());
                assertThat(stores.facts().search(FactQuery.in("users").text("Green TEA")).items())
                        .extracting(m -> m.fact().id()).as("%s", stores).containsExactly(fact.id());
                assertThat(stores.facts().search(FactQuery.in("users").similarTo(new float[] {1, 0})).items()).hasSize(1);
                // a text without a single word is stored, listed, and found by no word
                Fact wordless = stores.facts().put(NewFact.of(ADA.child("odd"), "!!! ??? ..."));
                assertThat(stores.facts().get(wordless.id())).contains(wordless);
                assertThat(stores.facts().search(FactQuery.in(ADA.child("odd"))).items()).hasSize(1);
                assertThat(stores.facts().search(FactQuery.in(ADA).text("!!!")).items()).isEmpty();
            }
        } finally {
            all.forEach(Stores::close);
        }
    }

    @Test
    void vectorsAreKeptAsLittleEndianFloat32() throws Exception {
        float[] v = {1.5f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, -3.25e-20f};
        byte[] bytes = JdbcFactStore.encode(v);
        assertThat(bytes).hasSize(4 * v.length);
        assertThat(bytes[0]).isEqualTo((byte) 0x00);
        assertThat(bytes[3]).isEqualTo((byte) 0x3F); // 1.5f is 0x3FC00000, lowest byte first
        assertThat(JdbcFactStore.decode(bytes)).containsExactly(v);
        Path file = dir.resolve("vectors.db");
        try (Stores stores = JdbcStores.sqlite(file)) {
            stores.facts().put(NewFact.builder(ADA, "a vector").vector(v).build());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT typeof(vector), length(vector) FROM memoria_facts")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("blob");
            assertThat(rs.getInt(2)).isEqualTo(4 * v.length);
        }
    }

    @Test
    void literalsOfTheWordIndexTakeWordsAsTheyAre() {
        assertThat(JdbcFactStore.tsvector(List.of("tea", "green", "tea", "o'neil"))).isEqualTo("'tea':1,3 'green':2 'o''neil':4");
        assertThat(JdbcFactStore.tsvector(List.of())).isEmpty();
        assertThat(JdbcFactStore.tsquery(List.of("green", "tea"))).isEqualTo("'green' & 'tea'");
        assertThat(JdbcFactStore.ftsQuery(List.of("near", "or", "東京"))).isEqualTo("\"near\" \"or\" \"東京\"");
        // PostgreSQL keeps positions up to 16383 and 256 of them per word
        List<String> many = new ArrayList<>(Collections.nCopies(20_000, "tea"));
        many.add("last");
        String literal = JdbcFactStore.tsvector(many);
        assertThat(literal).startsWith("'tea':1,2,3,").contains("'last':16383");
        assertThat(literal.substring(0, literal.indexOf(" 'last'")).split(",")).hasSize(256);
    }

    @Test
    void postgresKeepsEveryWordOfALongRepetitiveText() {
        try (Stores stores = JdbcStores.create(PostgresServer.get().dataSource(),
                JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()))) {
            String text = "tea ".repeat(4_000) + "biscuits";
            Fact fact = stores.facts().put(NewFact.of(ADA, text));
            assertThat(stores.facts().search(FactQuery.in(ADA).text("biscuits tea")).items())
                    .extracting(m -> m.fact().id()).containsExactly(fact.id());
            assertThat(stores.facts().get(fact.id()).orElseThrow().text()).isEqualTo(text);
        }
    }

    /**
     * The namespace column is {@code COLLATE "C"}, so a prefix is a bytewise range even in a
     * database whose default collation is linguistic (ICU with punctuation ignored, as glibc's
     * {@code en_US.UTF-8} does), where {@code users/ada/b} sorts after {@code users/ada0} and a
     * range in the default collation would miss every child.
     */
    @Test
    void postgresPrefixesAreBytewiseInADatabaseWithALinguisticCollation() throws Exception {
        String database = "memoria_icu_" + ProcessHandle.current().pid();
        try (Connection admin = PostgresServer.get().dataSource().getConnection(); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
            try {
                s.execute("CREATE DATABASE " + database + " TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'"
                        + " LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-ka-shifted'");
            } catch (SQLException e) {
                Assumptions.abort("the server cannot create an ICU database: " + e.getMessage());
            }
        }
        try {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(PostgresServer.get().url());
            ds.setDatabaseName(database);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 'users/ada/b' < 'users/ada0', 'users/ada/b' < 'users/ada0' COLLATE \"C\"")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("the default collation is linguistic").isFalse();
                assertThat(rs.getBoolean(2)).isTrue();
            }
            try (Stores stores = JdbcStores.create(ds)) {
                FactStore facts = stores.facts();
                Set<String> below = new HashSet<>();
                below.add(facts.put(NewFact.of(ADA, "ada's tea")).id());
                below.add(facts.put(NewFact.of(ADA.child("b"), "tea below")).id());
                below.add(facts.put(NewFact.of(ADA.child("Z").child("deep"), "tea deeper")).id());
                facts.put(NewFact.of(Namespace.of("users", "ada-x"), "tea beside"));
                facts.put(NewFact.of(Namespace.of("users", "adam"), "tea beside"));
                facts.put(NewFact.of(Namespace.of("users", "ada0"), "tea beside"));
                facts.put(NewFact.of(Namespace.of("users", "ada/b"), "tea beside: a slash inside a segment"));
                assertThat(facts.search(FactQuery.in(ADA).text("tea")).items()).extracting(m -> m.fact().id())
                        .containsExactlyInAnyOrderElementsOf(below);
                assertThat(facts.search(FactQuery.in(ADA)).items()).extracting(m -> m.fact().id())
                        .containsExactlyInAnyOrderElementsOf(below);
                assertThat(facts.deleteNamespace(ADA)).isEqualTo(3);
                assertThat(facts.search(FactQuery.in("users").limit(10)).items()).hasSize(4);
            }
        } finally {
            try (Connection admin = PostgresServer.get().dataSource().getConnection(); Statement s = admin.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    @Test
    void postgresRacingPutsOfOneIdempotencyKeyStoreOneFact() throws Exception {
        try (Stores stores = JdbcStores.create(PostgresServer.get().dataSource(),
                JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()))) {
            NewFact fact = NewFact.builder(ADA, "Ada lives in Lyon").key("city").idempotencyKey("extractor:r:1:0").build();
            List<Fact> results = onThreads(8, t -> stores.facts().put(fact));
            assertThat(results.stream().map(Fact::id).distinct()).hasSize(1);
            assertThat(stores.facts().history(ADA, "city")).hasSize(1);
        }
    }

    /** Batches that supersede the same keys in different orders lock them in different orders: deadlocks are run again. */
    @Test
    void postgresBatchesSupersedingKeysInAnyOrderLoseNothing() throws Exception {
        try (Stores stores = JdbcStores.create(PostgresServer.get().dataSource(),
                JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()))) {
            int threads = 4;
            int rounds = 15;
            int keys = 10;
            onThreads(threads, t -> {
                Random random = new Random(t);
                for (int r = 0; r < rounds; r++) {
                    List<NewFact> batch = new ArrayList<>();
                    for (int k = 0; k < keys; k++) {
                        batch.add(NewFact.builder(ADA, "value " + t + "-" + r + " of key " + k).key("k" + k).build());
                    }
                    Collections.shuffle(batch, random);
                    stores.facts().putAll(batch);
                }
                return null;
            });
            for (int k = 0; k < keys; k++) {
                List<Fact> history = stores.facts().history(ADA, "k" + k);
                assertThat(history).as("key %d", k).hasSize(threads * rounds);
                assertThat(history.stream().filter(Fact::isCurrent)).hasSize(1);
                assertThat(history).extracting(Fact::version).doesNotHaveDuplicates();
            }
        }
    }

    /**
     * The SQLite meter of K10 counts the word index's rows and what the query returns, and
     * charges the whole table to any plan that reaches the facts other than by rowid from the
     * index: so it does see work, and a plan that walks the namespace could not pass for cheap.
     */
    @Test
    void theSqliteFactMeterSeesTheIndexRowsAndChargesTableWalks() {
        ReadCapture capture = new ReadCapture();
        Path file = dir.resolve("meter.db");
        try (Stores stores = JdbcStores.sqlite(file, JdbcOptions.defaults(), capture::wrap, null)) {
            List<NewFact> batch = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                batch.add(NewFact.of(i < 200 ? ADA : Namespace.of("users", "bob"), "common " + i + (i % 50 == 0 ? " needle" : "")));
            }
            stores.facts().putAll(batch);
            WorkMeter meter = SqlWorkMeters.sqliteFacts(capture, file, "memoria_");
            // "needle" is in 6 facts (4 of ada's): 6 index rows, 4 returned
            assertThat(meter.workOf(() -> stores.facts().search(FactQuery.in(ADA).text("needle")))).isEqualTo(6 + 4);
            // "common" is in all 300: 300 index rows, a page of 20 returned (and the 21st, for the cursor)
            assertThat(meter.workOf(() -> stores.facts().search(FactQuery.in(ADA).text("common").limit(20)))).isEqualTo(300 + 21);
            assertThat(meter.workOf(() -> stores.facts().search(FactQuery.in(ADA).text("nowhere")))).isZero();
            // a label filter looks at each match's labels (json_each), not at the table
            assertThat(meter.workOf(() -> stores.facts().search(FactQuery.in(ADA).text("needle").label("kind", "x")))).isEqualTo(6);
            // a listing walks the namespace through its index: the meter charges every row
            assertThat(meter.workOf(() -> stores.facts().search(FactQuery.in(ADA).limit(5)))).isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void thePostgresMeterSeesTheIndexRows() {
        ReadCapture capture = new ReadCapture();
        try (Stores stores = JdbcStores.create(capture.wrap(PostgresServer.get().dataSource()),
                JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()))) {
            // enough rows that the GIN index is worth it even to a planner without statistics
            for (int b = 0; b < 5; b++) {
                List<NewFact> batch = new ArrayList<>();
                for (int i = b * 1000; i < (b + 1) * 1000; i++) {
                    batch.add(NewFact.of(i < 2000 ? ADA : Namespace.of("users", "bob"), "common " + i + (i % 500 == 0 ? " needle" : "")));
                }
                stores.facts().putAll(batch);
            }
            WorkMeter meter = SqlWorkMeters.postgres(capture, PostgresServer.get().dataSource());
            long needle = meter.workOf(() -> stores.facts().search(FactQuery.in(ADA).text("needle")));
            long common = meter.workOf(() -> stores.facts().search(FactQuery.in(ADA).text("common").limit(20)));
            // 10 facts hold "needle", 4 of them ada's: 10 index rows, 10 heap rows, 10 materialized
            // (6 filtered out), 4 sorted, 4 returned
            assertThat(needle).isBetween(3 * 10L, 60L);
            assertThat(common).as("5,000 index rows, heap rows and materialized rows at least").isGreaterThanOrEqualTo(3 * 5_000);
        }
    }

    @Test
    void theIndexedWordsAreCoresNormalisedWords() throws Exception {
        Path file = dir.resolve("words.db");
        String text = "Crème BRÛLÉE at the Straße, ｆｕｌｌｗｉｄｔｈ & 東京 — C++ (beta) 'quoted'";
        try (Stores stores = JdbcStores.sqlite(file)) {
            stores.facts().put(NewFact.of(ADA, text));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT words FROM memoria_facts")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(Facts.indexText(text))
                    .isEqualTo("creme brulee at the strasse fullwidth 東京 c beta quoted");
        }
        // FTS5's ascii tokenizer makes each of those words exactly one token
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE VIRTUAL TABLE probe USING fts5vocab(memoria_fact_words, 'row')");
            Set<String> tokens = new HashSet<>();
            try (ResultSet rs = s.executeQuery("SELECT term FROM probe")) {
                while (rs.next()) {
                    tokens.add(rs.getString(1));
                }
            }
            assertThat(tokens).containsExactlyInAnyOrderElementsOf(Facts.indexWords(text));
        }
        try (Stores stores = JdbcStores.create(PostgresServer.get().dataSource(),
                JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()))) {
            Fact fact = stores.facts().put(NewFact.of(ADA, text));
            try (Connection c = PostgresServer.get().dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT CAST(? AS tsvector) = CAST(? AS tsvector)")) {
                ps.setString(1, JdbcFactStore.tsvector(Facts.indexWords(text)));
                ps.setString(2, "'creme':1 'brulee':2 'at':3 'the':4 'strasse':5 'fullwidth':6 '東京':7 'c':8 'beta':9 'quoted':10");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getBoolean(1)).isTrue();
                }
            }
            assertThat(stores.facts().search(FactQuery.in(ADA).text("東京 STRASSE")).items()).extracting(m -> m.fact().id())
                    .containsExactly(fact.id());
        }
    }

    private static <T> List<T> onThreads(int threads, ThreadTask<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(threads);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    together.await();
                    return task.run(index);
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(2, TimeUnit.MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface ThreadTask<T> {
        T run(int thread) throws Exception;
    }
}
