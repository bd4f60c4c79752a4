package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.ConflictException;
import dev.memoria.Page;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactExtractor;
import dev.memoria.fact.FactIngestion;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunRef;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts K1–K10 of the fact store: long-term memory across sessions. Extend it and implement
 * {@link #newStores(java.time.Clock)} and {@link #factWorkMeter()}.
 */
public abstract class FactStoreContract extends ContractSupport {
    private static final Namespace ADA = Namespace.of("users", "ada");

    /**
     * @return a meter of the work the backend does for a fact search, in its own unit (facts or
     *     index entries examined, rows a plan visits), as for M7
     */
    protected abstract WorkMeter factWorkMeter();

    private FactStore facts() {
        return stores.facts();
    }

    private Fact put(Namespace ns, String text) {
        return facts().put(NewFact.of(ns, text));
    }

    private Fact put(Namespace ns, String key, String text) {
        return facts().put(NewFact.builder(ns, text).key(key).build());
    }

    private List<String> texts(Page<FactMatch> page) {
        return page.items().stream().map(m -> m.fact().text()).toList();
    }

    private Set<String> found(Namespace ns, String query) {
        Set<String> texts = new HashSet<>();
        FactQuery q = FactQuery.in(ns).text(query).limit(1000);
        Page<FactMatch> page = facts().search(q);
        page.items().forEach(m -> texts.add(m.fact().text()));
        assertThat(page.hasNext()).as("one page holds every match of %s", query).isFalse();
        return texts;
    }

    private RunRef runRef(String sessionId) {
        if (stores.sessions().get(sessionId).isEmpty()) {
            stores.sessions().create(NewSession.builder().id(sessionId).userId("ada").build());
        }
        return stores.runs().create(NewRun.of(sessionId, "agent")).ref();
    }

    @Test
    @DisplayName("K1: a put stores the fact with id, version 1, createdAt and validFrom = now, and every field round-trips")
    void k1_putStoresAFactWithIdVersionAndTimes() {
        RunRef run = runRef("s1");
        Instant expires = START.plus(Duration.ofDays(30));
        Map<String, Object> data = hostileJson();
        NewFact spec = NewFact.builder(ADA, "Ada prefers green tea, served in a café ☕").key("drink").data(data)
                .label("topic", "food").source(run, 3).expiresAt(expires).vector(new float[] {0.5f, -1.25f, 3f})
                .idempotencyKey("first").build();
        Fact stored = facts().put(spec);
        assertThat(stored.id()).isNotBlank();
        assertThat(stored.version()).isEqualTo(1);
        assertThat(stored.createdAt()).isEqualTo(START);
        assertThat(stored.validFrom()).isEqualTo(START);
        assertThat(stored.validTo()).isNull();
        assertThat(stored.isCurrent()).isTrue();
        Fact read = facts().get(stored.id()).orElseThrow();
        assertThat(read).isEqualTo(stored);
        assertThat(read.namespace()).isEqualTo(ADA);
        assertThat(read.key()).isEqualTo("drink");
        assertThat(read.text()).isEqualTo(spec.text());
        assertSameJson(read.data(), data);
        assertThat(read.labels()).isEqualTo(Map.of("topic", "food"));
        assertThat(read.source().run()).isEqualTo(run);
        assertThat(read.source().sequence()).isEqualTo(3);
        assertThat(read.expiresAt()).isEqualTo(expires);
        assertThat(read.vector()).containsExactly(0.5f, -1.25f, 3f);
        assertThat(read.idempotencyKey()).isEqualTo("first");

        Fact plain = put(Namespace.of("world"), "Water boils at 100 °C at sea level");
        assertThat(plain.key()).isNull();
        assertThat(plain.source()).isNull();
        assertThat(plain.vector()).isNull();
        assertThat(plain.data()).isEmpty();
        assertThat(facts().get(plain.id())).contains(plain);
        assertThat(plain.id()).isNotEqualTo(stored.id());
        assertThat(facts().get("no-such-fact")).isEmpty();
        // the longest text and the deepest namespace are kept exactly
        String longest = "é".repeat(NewFact.MAX_TEXT_BYTES / 2);
        Namespace deep = Namespace.of("a", "b/c", "d%e", "f", "g", "h", "i", "ünïcode");
        Fact big = put(deep, longest);
        assertThat(facts().get(big.id()).orElseThrow().text()).isEqualTo(longest);
        assertThat(facts().get(big.id()).orElseThrow().namespace()).isEqualTo(deep);
    }

    @Test
    @DisplayName("K2: a put with a key supersedes the current fact, which stays readable as history")
    void k2_aKeyedPutSupersedesTheCurrentFactAndKeepsHistory() {
        Fact tea = put(ADA, "drink", "Ada prefers green tea");
        clock.advance(Duration.ofMinutes(5));
        Fact coffee = put(ADA, "drink", "Ada prefers black coffee");
        clock.advance(Duration.ofMinutes(5));
        Fact water = put(ADA, "drink", "Ada prefers sparkling water");
        assertThat(List.of(tea.version(), coffee.version(), water.version())).containsExactly(1L, 2L, 3L);
        Fact oldTea = facts().get(tea.id()).orElseThrow();
        assertThat(oldTea.validTo()).isEqualTo(coffee.validFrom()).isEqualTo(START.plus(Duration.ofMinutes(5)));
        assertThat(oldTea.isCurrent()).isFalse();
        assertThat(facts().get(coffee.id()).orElseThrow().validTo()).isEqualTo(water.validFrom());
        assertThat(facts().history(ADA, "drink")).extracting(Fact::text)
                .containsExactly("Ada prefers green tea", "Ada prefers black coffee", "Ada prefers sparkling water");
        // search sees the current fact only, unless asked for history
        assertThat(texts(facts().search(FactQuery.in(ADA).text("prefers")))).containsExactly("Ada prefers sparkling water");
        assertThat(texts(facts().search(FactQuery.in(ADA).key("drink")))).containsExactly("Ada prefers sparkling water");
        assertThat(texts(facts().search(FactQuery.in(ADA).text("tea").validAt(START.plus(Duration.ofMinutes(1))))))
                .containsExactly("Ada prefers green tea");
        assertThat(texts(facts().search(FactQuery.in(ADA).validAt(START.plus(Duration.ofMinutes(7))))))
                .containsExactly("Ada prefers black coffee");
        assertThat(texts(facts().search(FactQuery.in(ADA).validAt(START.minusSeconds(1))))).isEmpty();
        assertThat(facts().search(FactQuery.in(ADA).allVersions()).items()).hasSize(3);
        // the same key in another namespace is another fact
        Fact bob = put(Namespace.of("users", "bob"), "drink", "Bob prefers milk");
        assertThat(bob.version()).isEqualTo(1);
        assertThat(facts().get(water.id()).orElseThrow().isCurrent()).isTrue();
    }

    @Test
    @DisplayName("K2: the same content again writes nothing, and an idempotency key returns the first fact even once superseded")
    void k2_theSameContentAgainIsIdempotent() {
        Fact tea = put(ADA, "drink", "Ada prefers green tea");
        clock.advance(Duration.ofMinutes(1));
        assertThat(put(ADA, "drink", "Ada prefers green tea")).isEqualTo(tea);
        assertThat(facts().history(ADA, "drink")).hasSize(1);
        // other data is other content
        Fact withData = facts().put(NewFact.builder(ADA, "Ada prefers green tea").key("drink").data(Map.of("cups", 2L)).build());
        assertThat(withData.version()).isEqualTo(2);

        NewFact learned = NewFact.builder(ADA, "Ada lives in Lyon").key("city").idempotencyKey("extractor:run-1:4:1").build();
        Fact lyon = facts().put(learned);
        clock.advance(Duration.ofMinutes(1));
        Fact paris = put(ADA, "city", "Ada lives in Paris");
        clock.advance(Duration.ofMinutes(1));
        // replaying the old put must not bring Lyon back
        assertThat(facts().put(learned)).isEqualTo(facts().get(lyon.id()).orElseThrow());
        assertThat(facts().search(FactQuery.in(ADA).key("city")).items()).extracting(m -> m.fact().id()).containsExactly(paris.id());
        assertThatThrownBy(() -> facts().put(NewFact.builder(ADA, "Ada lives in Rome").key("city")
                .idempotencyKey("extractor:run-1:4:1").build()))
                .isInstanceOf(ConflictException.class).hasMessageContaining("idempotencyKey");
        assertThat(facts().history(ADA, "city")).hasSize(2);
    }

    @Test
    @DisplayName("K2: racing puts of one key leave exactly one current fact and lose none from the history")
    void k2_racingPutsOfOneKeyLeaveOneCurrentFact() throws Exception {
        CyclicBarrier together = new CyclicBarrier(THREADS);
        List<List<Fact>> results = onThreads(t -> {
            List<Fact> mine = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                together.await(); // every round, all threads put at the same moment
                mine.add(put(ADA, "mood", "Ada feels like option " + t + "-" + i));
            }
            return mine;
        });
        Set<String> ids = results.stream().flatMap(List::stream).map(Fact::id).collect(Collectors.toSet());
        assertThat(ids).hasSize(THREADS * 10);
        List<Fact> history = facts().history(ADA, "mood");
        assertThat(history).extracting(Fact::id).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(history.stream().filter(Fact::isCurrent)).hasSize(1);
        assertThat(history).extracting(Fact::version).doesNotHaveDuplicates();
        assertThat(facts().search(FactQuery.in(ADA).key("mood")).items()).hasSize(1);
    }

    @Test
    @DisplayName("K3: search finds current facts of the namespace and those below it, holding every word, best first")
    void k3_searchFindsTheNamespaceAndBelowBestFirst() {
        put(ADA, "Ada likes tea");
        put(ADA.child("work"), "At work Ada drinks tea, tea and more tea");
        put(Namespace.of("users", "adam"), "Adam likes tea"); // a sibling whose name starts like ada's
        put(Namespace.of("users"), "Users like tea");
        put(ADA, "Ada likes coffee");
        Page<FactMatch> hits = facts().search(FactQuery.in(ADA).text("tea"));
        assertThat(texts(hits)).containsExactlyInAnyOrder("Ada likes tea", "At work Ada drinks tea, tea and more tea");
        assertThat(hits.items().get(0).score()).isGreaterThanOrEqualTo(hits.items().get(1).score());
        assertThat(texts(facts().search(FactQuery.in(ADA).text("likes tea")))).containsExactly("Ada likes tea");
        assertThat(texts(facts().search(FactQuery.in(ADA).text("tea unheard")))).isEmpty();
        assertThat(texts(facts().search(FactQuery.in("users").text("tea")))).hasSize(4);
        assertThat(texts(facts().search(FactQuery.all().text("tea")))).hasSize(4);
        assertThat(texts(facts().search(FactQuery.in(ADA.child("work")).text("tea")))).hasSize(1);
        // a fact that holds a query word more often ranks first
        put(Namespace.of("rank"), "a long sentence that mentions tea once among many other words here");
        put(Namespace.of("rank"), "tea, more tea and still more tea");
        assertThat(texts(facts().search(FactQuery.in("rank").text("tea")))).containsExactly("tea, more tea and still more tea",
                "a long sentence that mentions tea once among many other words here");
    }

    @Test
    @DisplayName("K3: filters by label, key and source run, and cursor paging that neither skips nor repeats")
    void k3_filtersAndPaging() {
        RunRef one = runRef("s1");
        RunRef two = runRef("s2");
        for (int i = 0; i < 25; i++) {
            clock.advance(Duration.ofSeconds(1));
            facts().put(NewFact.builder(ADA, "note " + i + " about the garden").label("kind", i % 2 == 0 ? "even" : "odd")
                    .source(i < 10 ? one : two, i + 1).build());
        }
        assertThat(facts().search(FactQuery.in(ADA).text("garden").label("kind", "even").limit(100)).items()).hasSize(13);
        assertThat(facts().search(FactQuery.in(ADA).text("garden").sourceRun(one.runId()).limit(100)).items()).hasSize(10);
        assertThat(facts().search(FactQuery.in(ADA).sourceRun(two.runId()).label("kind", "odd").limit(100)).items()).hasSize(7);
        for (FactQuery q : List.of(FactQuery.in(ADA).text("garden").limit(7), FactQuery.in(ADA).limit(7))) {
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Page<FactMatch> page = facts().search(q.cursor(cursor));
                page.items().forEach(m -> seen.add(m.fact().id()));
                cursor = page.nextCursor();
                pages++;
            } while (cursor != null);
            assertThat(pages).as("pages of %s", q).isEqualTo(4);
            assertThat(seen).as("%s", q).hasSize(25).doesNotHaveDuplicates();
        }
        // a listing is newest first
        assertThat(texts(facts().search(FactQuery.in(ADA).limit(2)))).containsExactly("note 24 about the garden",
                "note 23 about the garden");
        String cursor = facts().search(FactQuery.in(ADA).text("garden").limit(7)).nextCursor();
        assertThatThrownBy(() -> facts().search(FactQuery.in(ADA).text("note").limit(7).cursor(cursor)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor:");
    }

    /** Facts in several scripts and spellings, and for each query the facts every backend must find. */
    private static final List<String> SPELLINGS = List.of(
            "Meet me at the Café de Flore", "a CAFE on the corner", "cafés everywhere", "Crème brûlée for dessert",
            "creme brulee recipe", "Straße in Berlin", "strasse is a street", "Ελληνικά γράμματα", "ΕΛΛΗΝΙΚΆ ΓΡΆΜΜΑΤΑ",
            "Русский язык", "РУССКИЙ текст", "東京 is a city", "ｆｕｌｌｗｉｄｔｈ letters", "ﬁne ligature", "naïve résumé",
            "NAIVE RESUME", "Ǆemal with a digraph", "İstanbul dotted");

    @Test
    @DisplayName("K4: words match case- and accent-insensitively, and the same query finds the same facts on every backend")
    void k4_wordsMatchCaseAndAccentInsensitively() {
        Namespace ns = Namespace.of("spellings");
        SPELLINGS.forEach(t -> put(ns, t));
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        expected.put("café", Set.of("Meet me at the Café de Flore", "a CAFE on the corner"));
        expected.put("CAFE", Set.of("Meet me at the Café de Flore", "a CAFE on the corner"));
        expected.put("cafes", Set.of("cafés everywhere"));
        expected.put("crème BRÛLÉE", Set.of("Crème brûlée for dessert", "creme brulee recipe"));
        expected.put("STRASSE", Set.of("Straße in Berlin", "strasse is a street"));
        expected.put("straße", Set.of("Straße in Berlin", "strasse is a street"));
        expected.put("ελληνικα", Set.of("Ελληνικά γράμματα", "ΕΛΛΗΝΙΚΆ ΓΡΆΜΜΑΤΑ"));
        expected.put("русский", Set.of("Русский язык", "РУССКИЙ текст"));
        expected.put("東京", Set.of("東京 is a city"));
        expected.put("fullwidth", Set.of("ｆｕｌｌｗｉｄｔｈ letters"));
        expected.put("fine", Set.of("ﬁne ligature"));
        expected.put("naive resume", Set.of("naïve résumé", "NAIVE RESUME"));
        expected.put("dzemal", Set.of("Ǆemal with a digraph"));
        expected.put("istanbul", Set.of("İstanbul dotted"));
        expected.put("Berlin!", Set.of("Straße in Berlin"));
        expected.forEach((query, texts) -> assertThat(found(ns, query)).as("facts found by '%s'", query).isEqualTo(texts));
    }

    @Test
    @DisplayName("K5: query text is words, never syntax: metacharacters find facts holding them as text, or nothing, and never fail")
    void k5_querySyntaxIsPlainText() {
        Namespace ns = Namespace.of("syntax");
        put(ns, "C++ (beta) -x: *star* OR NEAR $set \"quoted\" a&b|c !not <-> ^caret ~tilde 'single' col:umn");
        put(ns, "plain words only");
        List<String> hostile = List.of("\"", "\"\"", "\"unbalanced", "*", "star*", "-x", "-", ":", "col:umn", "OR", "or",
                "NEAR", "NEAR(a b)", "$set", "{\"$gt\": \"\"}", "(", ")", "(beta", "a & b", "a | b", "!not", "<->", "a <-> b",
                "'", "''", "\\", "^caret", "~tilde", "AND", "NOT plain", "plain -words", "plain OR nothing", "%", "_", ";",
                "x' OR '1'='1", "); DROP TABLE facts; --", "\u00a0", "   ", "", "＊");
        for (String q : hostile) {
            Set<String> texts = found(ns, q);
            List<String> words = FactQuery.in(ns).text(q).words();
            if (words.isEmpty()) {
                assertThat(texts).as("'%s' has no word", q).isEmpty();
            } else {
                // every fact found holds every word; none that holds them all is missed
                Set<String> expected = new HashSet<>();
                for (String t : List.of("C++ (beta) -x: *star* OR NEAR $set \"quoted\" a&b|c !not <-> ^caret ~tilde 'single' col:umn",
                        "plain words only")) {
                    if (FactQuery.in(ns).text(t).words().containsAll(words)) {
                        expected.add(t);
                    }
                }
                assertThat(texts).as("facts found by '%s' (words %s)", q, words).isEqualTo(expected);
            }
        }
        assertThat(found(ns, "OR")).hasSize(1);
        assertThat(found(ns, "plain OR nothing")).isEmpty();
        assertThat(found(ns, "NOT plain")).isEmpty();
        assertThat(found(ns, "star")).hasSize(1);
    }

    @Test
    @DisplayName("K6: with an embedder, facts keep a vector, similarTo ranks by cosine and hybrid fuses both rankings")
    void k6_similarityAndHybrid() {
        FactStore embedded = facts().withEmbedder(new HashingEmbedder(64));
        Namespace ns = Namespace.of("users", "ada", "food");
        Fact tea = embedded.put(NewFact.of(ns, "green tea with jasmine"));
        embedded.put(NewFact.of(ns, "black coffee without sugar"));
        embedded.put(NewFact.of(ns, "tea and biscuits in the afternoon"));
        embedded.put(NewFact.builder(ns, "a vector given by hand").vector(unit(64, 63)).build());
        embedded.put(NewFact.of(Namespace.of("users", "bob"), "green tea with jasmine for bob"));
        assertThat(facts().get(tea.id()).orElseThrow().vector()).hasSize(64).isEqualTo(new HashingEmbedder(64).embed(tea.text()));
        assertThat(facts().get(tea.id()).orElseThrow().vector()).as("the hand-made vector is kept").isNotNull();

        Page<FactMatch> similar = embedded.search(FactQuery.in(ns).similarTo("with jasmine, green tea").limit(10));
        assertThat(similar.items()).hasSize(4);
        assertThat(similar.items().get(0).fact().id()).isEqualTo(tea.id());
        assertThat(similar.items().get(0).score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        for (int i = 1; i < similar.items().size(); i++) {
            assertThat(similar.items().get(i - 1).score()).isGreaterThanOrEqualTo(similar.items().get(i).score());
        }
        // a vector query of one's own, on the store without embedder
        assertThat(facts().search(FactQuery.in(ns).similarTo(unit(64, 63)).limit(1)).items().get(0).fact().text())
                .isEqualTo("a vector given by hand");
        // hybrid: a fact found by words and by meaning ranks first; one found by meaning alone is kept
        Page<FactMatch> hybrid = embedded.search(FactQuery.in(ns).hybrid("tea afternoon").limit(10));
        assertThat(hybrid.items().get(0).fact().text()).isEqualTo("tea and biscuits in the afternoon");
        assertThat(texts(hybrid)).contains("green tea with jasmine").doesNotContain("green tea with jasmine for bob");
        // paging a similarity ranking neither skips nor repeats
        Page<FactMatch> first = embedded.search(FactQuery.in(ns).similarTo("tea").limit(2));
        Page<FactMatch> second = embedded.search(FactQuery.in(ns).similarTo("tea").limit(2).cursor(first.nextCursor()));
        Set<String> both = new HashSet<>(texts(first));
        both.addAll(texts(second));
        assertThat(both).hasSize(4);
        assertThatThrownBy(() -> facts().search(FactQuery.in(ns).similarTo("tea")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Embedder");
        assertThatThrownBy(() -> facts().search(FactQuery.in(ns).hybrid("tea")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Embedder");
    }

    private static float[] unit(int dimensions, int axis) {
        float[] v = new float[dimensions];
        v[axis] = 1f;
        return v;
    }

    /** Learns "my name is X" and "I prefer Y"; can be told to fail after some facts, as a crash half-way would. */
    private static final class RuleExtractor implements FactExtractor {
        private static final Pattern NAME = Pattern.compile("my name is (\\w+)", Pattern.CASE_INSENSITIVE);
        private static final Pattern PREFER = Pattern.compile("I prefer ([\\w ]+)", Pattern.CASE_INSENSITIVE);
        final AtomicInteger eventsSeen = new AtomicInteger();

        @Override
        public String id() {
            return "rules";
        }

        @Override
        public List<NewFact> extract(Session session, List<MemoryEvent> events) {
            eventsSeen.addAndGet(events.size());
            List<NewFact> out = new ArrayList<>();
            Namespace ns = Namespace.of("users", session.userId());
            for (MemoryEvent e : events) {
                if (e.type() != EventType.USER_MESSAGE) {
                    continue;
                }
                String text = e.textIfAny().orElse("");
                Matcher name = NAME.matcher(text);
                if (name.find()) {
                    out.add(NewFact.builder(ns, "The user's name is " + name.group(1)).key("name").source(e.run(), e.sequence()).build());
                }
                Matcher prefer = PREFER.matcher(text);
                while (prefer.find()) {
                    out.add(NewFact.builder(ns, "The user prefers " + prefer.group(1).trim()).source(e.run(), e.sequence()).build());
                }
            }
            return out;
        }
    }

    /** A fact store that passes every call on, for tests that break one of them. */
    private static class DelegatingFactStore implements FactStore {
        private final FactStore facts;

        DelegatingFactStore(FactStore facts) {
            this.facts = facts;
        }

        @Override
        public Fact put(NewFact fact) {
            return facts.put(fact);
        }

        @Override
        public java.util.Optional<Fact> get(String id) {
            return facts.get(id);
        }

        @Override
        public List<Fact> history(Namespace namespace, String key) {
            return facts.history(namespace, key);
        }

        @Override
        public Page<FactMatch> search(FactQuery query) {
            return facts.search(query);
        }

        @Override
        public boolean delete(String id) {
            return facts.delete(id);
        }

        @Override
        public long deleteNamespace(Namespace prefix) {
            return facts.deleteNamespace(prefix);
        }

        @Override
        public long prune() {
            return facts.prune();
        }

        @Override
        public Fact restore(Fact fact) {
            return facts.restore(fact);
        }
    }

    @Test
    @DisplayName("K7: an extractor reads the events after its watermark; running it again, or after a crash half-way, adds nothing twice")
    void k7_ingestionIsIncrementalAndIdempotent() {
        stores.sessions().create(NewSession.builder().id("chat").userId("ada").build());
        Run run = stores.runs().create(NewRun.of("chat", "agent"));
        stores.memory().append(run.ref(), List.of(Event.userMessage("Hello, my name is Ada"), Event.assistantMessage("Hi Ada"),
                Event.userMessage("I prefer green tea. I prefer quiet mornings")));
        RuleExtractor rules = new RuleExtractor();
        FactIngestion ingestion = FactIngestion.of(stores, rules);
        FactIngestion.Result first = ingestion.ingestSession("chat");
        assertThat(first.eventsRead()).isEqualTo(3);
        assertThat(first.facts()).extracting(Fact::text).containsExactly("The user's name is Ada", "The user prefers green tea",
                "The user prefers quiet mornings");
        assertThat(first.facts().get(0).source().run()).isEqualTo(run.ref());
        assertThat(first.facts().get(0).source().sequence()).isEqualTo(1);
        assertThat(first.facts().get(2).source().sequence()).isEqualTo(3);
        assertThat(ingestion.watermark(run.id())).isEqualTo(3);

        FactIngestion.Result again = ingestion.ingestSession("chat");
        assertThat(again.eventsRead()).as("nothing after the watermark").isZero();
        assertThat(again.facts()).isEmpty();
        assertThat(facts().search(FactQuery.in("users", "ada").limit(100)).items()).hasSize(3);

        // new events: only they are read; the name is superseded, not duplicated
        stores.memory().append(run.ref(), List.of(Event.userMessage("Actually my name is Augusta"),
                Event.userMessage("I prefer long walks")));
        rules.eventsSeen.set(0);
        FactIngestion.Result more = ingestion.ingestRun(run.id());
        assertThat(rules.eventsSeen.get()).isEqualTo(2);
        assertThat(more.facts()).extracting(Fact::text).containsExactly("The user's name is Augusta", "The user prefers long walks");
        assertThat(facts().history(Namespace.of("users", "ada"), "name")).extracting(Fact::text)
                .containsExactly("The user's name is Ada", "The user's name is Augusta");

        // a crash half-way: the process dies after two of the batch's three puts, before the watermark moves
        stores.memory().append(run.ref(), List.of(Event.userMessage("I prefer jazz. I prefer rain. I prefer cats")));
        AtomicInteger putsLeft = new AtomicInteger(2);
        FactStore dying = new DelegatingFactStore(facts()) {
            @Override
            public Fact put(NewFact fact) {
                if (putsLeft.getAndDecrement() <= 0) {
                    throw new IllegalStateException("the process died");
                }
                return super.put(fact);
            }
        };
        assertThatThrownBy(() -> FactIngestion.of(stores, dying, new RuleExtractor()).ingestRun(run.id()))
                .hasMessage("the process died");
        assertThat(ingestion.watermark(run.id())).isEqualTo(5);
        assertThat(facts().search(FactQuery.in("users", "ada").text("prefers").limit(100)).items()).hasSize(5);
        FactIngestion.Result recovered = FactIngestion.of(stores, new RuleExtractor()).ingestRun(run.id());
        assertThat(recovered.facts()).extracting(Fact::text).containsExactly("The user prefers jazz", "The user prefers rain",
                "The user prefers cats");
        assertThat(ingestion.watermark(run.id())).isEqualTo(6);
        List<String> all = facts().search(FactQuery.in("users", "ada").limit(100)).items().stream().map(m -> m.fact().text()).toList();
        assertThat(all).hasSize(7).doesNotHaveDuplicates().contains("The user prefers jazz", "The user prefers rain",
                "The user prefers cats");
        // the watermark of another extractor is its own: it starts from the first event
        FactExtractor other = new FactExtractor() {
            @Override
            public String id() {
                return "other";
            }

            @Override
            public List<NewFact> extract(Session session, List<MemoryEvent> events) {
                return List.of();
            }
        };
        assertThat(FactIngestion.of(stores, other).ingestRun(run.id()).eventsRead()).isEqualTo(6);
        // purging the session removes the extractors' watermarks of its runs, and keeps what was learned
        stores.purgeSession("chat");
        assertThat(facts().search(FactQuery.in(FactIngestion.WATERMARKS).allVersions().limit(100)).items()).isEmpty();
        assertThat(facts().search(FactQuery.in("users", "ada").limit(100)).items()).hasSize(7);
    }

    @Test
    @DisplayName("K7: the runtime learns facts when a run completes, and a turn of another session recalls them")
    void k7_theRuntimeExtractsOnCompletionAndRecalls() {
        AgentRuntime runtime = AgentRuntime.builder(stores).clock(clock).extractor(new RuleExtractor()).build();
        runtime.startSession("monday", "ada");
        runtime.run("monday", Agent.of("echo", t -> t.say("noted")), "Hi, my name is Ada and I prefer oolong tea");
        runtime.startSession("tuesday", "ada");
        List<String> recalled = new ArrayList<>();
        runtime.run("tuesday", Agent.of("recaller", t -> {
            t.recall("name").forEach(m -> recalled.add(m.fact().text()));
            t.remember("mood", "Ada sounded cheerful on Tuesday");
            t.say("hello again");
        }), "Do you remember me?");
        assertThat(recalled).containsExactly("The user's name is Ada");
        Fact mood = facts().search(FactQuery.in("users", "ada").key("mood")).first().orElseThrow().fact();
        assertThat(mood.source().run().sessionId()).isEqualTo("tuesday");
        assertThat(mood.source().sequence()).as("the run's user message").isEqualTo(1);
    }

    @Test
    @DisplayName("K8: an expired fact is never returned, swept or not, and prune sweeps")
    void k8_expiredFactsAreNeverReturned() {
        FactStore embedded = facts().withEmbedder(new HashingEmbedder(16));
        Fact soon = embedded.put(NewFact.builder(ADA, "Ada is in a meeting").key("status")
                .expiresAt(START.plus(Duration.ofHours(1))).build());
        Fact later = embedded.put(NewFact.builder(ADA, "Ada is on holiday in a meeting-free place")
                .expiresAt(START.plus(Duration.ofDays(2))).build());
        Fact never = embedded.put(NewFact.of(ADA, "Ada was born in a meeting room"));
        assertThat(embedded.search(FactQuery.in(ADA).text("meeting")).items()).hasSize(3);
        clock.advance(Duration.ofHours(1));
        assertThat(facts().get(soon.id())).isEmpty();
        assertThat(facts().get(later.id())).isPresent();
        assertThat(texts(facts().search(FactQuery.in(ADA).text("meeting")))).hasSize(2).doesNotContain(soon.text());
        assertThat(facts().search(FactQuery.in(ADA).key("status")).items()).isEmpty();
        assertThat(facts().search(FactQuery.in(ADA).allVersions().limit(10)).items()).hasSize(2);
        assertThat(facts().search(FactQuery.in(ADA).validAt(START).limit(10)).items()).hasSize(2);
        assertThat(embedded.search(FactQuery.in(ADA).similarTo("meeting").limit(10)).items()).hasSize(2);
        assertThat(embedded.search(FactQuery.in(ADA).hybrid("meeting").limit(10)).items()).hasSize(2);
        assertThat(facts().history(ADA, "status")).isEmpty();
        // a put of the expired key starts a current fact again
        Fact back = put(ADA, "status", "Ada is back at her desk");
        assertThat(facts().search(FactQuery.in(ADA).key("status")).items()).extracting(m -> m.fact().id()).containsExactly(back.id());
        clock.advance(Duration.ofDays(2));
        assertThat(facts().prune()).isEqualTo(2);
        assertThat(facts().prune()).isZero();
        assertThat(facts().search(FactQuery.in(ADA).allVersions().limit(10)).items()).extracting(m -> m.fact().id())
                .containsExactlyInAnyOrder(never.id(), back.id());
    }

    @Test
    @DisplayName("K9: delete removes one fact; deleteNamespace removes every fact and version under a prefix, and nothing beside it")
    void k9_deleteAndDeleteNamespace() {
        Fact one = put(ADA, "Ada likes tea");
        put(ADA, "drink", "tea");
        put(ADA, "drink", "coffee");
        List<NewFact> many = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) { // more than one step of a deletion
            many.add(NewFact.of(ADA.child("notes"), "note " + i));
            if (many.size() == 1000) {
                facts().putAll(many);
                many.clear();
            }
        }
        facts().putAll(many);
        Fact adam = put(Namespace.of("users", "adam"), "Adam likes tea");
        Fact users = put(Namespace.of("users"), "Users like tea");
        Fact adaPercent = put(Namespace.of("users", "ada%"), "not below ada");
        Fact adaSlash = put(Namespace.of("users", "ada/x"), "not below ada either: a slash inside a segment");

        assertThat(facts().delete(one.id())).isTrue();
        assertThat(facts().delete(one.id())).isFalse();
        assertThat(facts().get(one.id())).isEmpty();
        assertThat(found(ADA, "likes")).isEmpty();

        assertThat(facts().deleteNamespace(ADA)).isEqualTo(2 + 2_500);
        assertThat(facts().deleteNamespace(ADA)).isZero();
        assertThat(facts().search(FactQuery.in(ADA).allVersions()).items()).isEmpty();
        assertThat(facts().history(ADA, "drink")).isEmpty();
        for (Fact kept : List.of(adam, users, adaPercent, adaSlash)) {
            assertThat(facts().get(kept.id())).as("%s", kept).isPresent();
        }
        assertThat(found(Namespace.of("users"), "tea")).containsExactlyInAnyOrder("Adam likes tea", "Users like tea");
        assertThatThrownBy(() -> facts().deleteNamespace(Namespace.ROOT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("namespace:");
        // a deleted key starts over
        assertThat(put(ADA, "drink", "water").version()).isEqualTo(1);
    }

    @Test
    @DisplayName("K9: restore writes a fact as it was stored elsewhere, once")
    void k9_restoreKeepsIdsVersionsAndTimes() {
        Fact tea = put(ADA, "drink", "tea");
        clock.advance(Duration.ofMinutes(1));
        Fact coffee = put(ADA, "drink", "coffee");
        Fact oldTea = facts().get(tea.id()).orElseThrow();
        List<Fact> exported = List.of(oldTea, coffee);
        try (dev.memoria.Stores target = newStores(clock)) {
            for (Fact f : exported) {
                assertThat(target.facts().restore(f)).isEqualTo(f);
                assertThat(target.facts().restore(f)).isEqualTo(f);
            }
            assertThat(target.facts().history(ADA, "drink")).containsExactly(oldTea, coffee);
            assertThat(target.facts().search(FactQuery.in(ADA).text("coffee")).items()).hasSize(1);
            Fact altered = new Fact(coffee.id(), ADA, "drink", "altered", Map.of(), Map.of(), null, 2, coffee.createdAt(),
                    coffee.validFrom(), null, null, null, null);
            assertThatThrownBy(() -> target.facts().restore(altered)).isInstanceOf(ConflictException.class);
            Fact secondCurrent = new Fact("another-id", ADA, "drink", "juice", Map.of(), Map.of(), null, 3, coffee.createdAt(),
                    coffee.validFrom(), null, null, null, null);
            assertThatThrownBy(() -> target.facts().restore(secondCurrent)).isInstanceOf(ConflictException.class);
            assertThat(target.facts().history(ADA, "drink")).hasSize(2);
        }
    }

    @Test
    @DisplayName("K10: word search costs O(matches), not O(namespace): 100,000 facts in one namespace")
    void k10_wordSearchCostsMatchesNotNamespace() {
        Namespace big = Namespace.of("big");
        Namespace small = Namespace.of("small");
        fill(big, 100_000);
        fill(small, 1_000);
        WorkMeter meter = factWorkMeter();
        long smallWork = meter.workOf(() -> assertThat(facts().search(FactQuery.in(small).text("needle").limit(20)).items()).hasSize(10));
        long bigWork = meter.workOf(() -> assertThat(facts().search(FactQuery.in(big).text("needle").limit(20)).items()).hasSize(10));
        long commonWork = meter.workOf(() -> facts().search(FactQuery.in(small).text("common").limit(20)));
        assertThat(smallWork).as("work of a search with 10 matches among 1,000 facts").isPositive();
        assertThat(bigWork).as("work of a search with 10 matches among 100,000 facts vs %d among 1,000", smallWork)
                .isLessThanOrEqualTo(2 * smallWork + 10);
        assertThat(commonWork).as("the meter sees matches: 1,000 matches cost more than 10 (%d)", smallWork)
                .isGreaterThan(smallWork);
    }

    /** Facts that all hold "common", ten of them "needle" too. */
    private void fill(Namespace ns, int count) {
        List<NewFact> batch = new ArrayList<>();
        int step = count / 10;
        for (int i = 0; i < count; i++) {
            batch.add(NewFact.of(ns, "common fact " + i + (i % step == 0 ? " needle" : "")));
            if (batch.size() == 1000) {
                facts().putAll(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            facts().putAll(batch);
        }
    }
}
