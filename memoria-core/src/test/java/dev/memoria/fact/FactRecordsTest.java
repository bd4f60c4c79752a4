package dev.memoria.fact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.Stores;
import dev.memoria.internal.Words;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The rules of the fact records and queries, written once in core. */
class FactRecordsTest {
    @Test
    @DisplayName("A namespace's path escapes slashes and percent signs, and parses back")
    void namespacePathsRoundTrip() {
        Namespace ns = Namespace.of("users", "a/b", "100%", "%2F");
        assertThat(ns.path()).isEqualTo("users/a%2Fb/100%25/%252F");
        assertThat(Namespace.parse(ns.path())).isEqualTo(ns);
        assertThat(Namespace.parse("users/ada")).isEqualTo(Namespace.of("users", "ada"));
        assertThat(Namespace.parse("")).isEqualTo(Namespace.ROOT);
        assertThat(Namespace.of("users", "ada").child("work").isWithin(Namespace.of("users", "ada"))).isTrue();
        assertThat(Namespace.of("users", "adam").isWithin(Namespace.of("users", "ada"))).isFalse();
        assertThat(Namespace.of("users").isWithin(Namespace.ROOT)).isTrue();
        assertThat(ns.toString()).isEqualTo(ns.path());
        assertThat(Namespace.ROOT).hasToString("(root)");
    }

    @Test
    @DisplayName("Bad namespaces, texts and vectors are refused, naming the field and the limit")
    void badInputIsRefusedByName() {
        assertThatThrownBy(() -> Namespace.of("a", "b", "c", "d", "e", "f", "g", "h", "i"))
                .hasMessage("namespace: at most 8 segments, got 9");
        assertThatThrownBy(() -> Namespace.of("users", " ")).hasMessage("namespace segment 2: must not be blank");
        assertThatThrownBy(() -> NewFact.of(Namespace.ROOT, "x")).hasMessage("namespace: a fact needs 1 to 8 segments, got none");
        assertThatThrownBy(() -> NewFact.of(Namespace.of("u"), "  ")).hasMessage("text: must not be blank");
        assertThatThrownBy(() -> NewFact.of(Namespace.of("u"), "é".repeat(8193)))
                .hasMessage("text: at most 16384 bytes of UTF-8, got 16386");
        assertThatThrownBy(() -> NewFact.builder(Namespace.of("u"), "x").vector(new float[3]).build())
                .hasMessageStartingWith("vector: must not be all zeros");
        assertThatThrownBy(() -> NewFact.builder(Namespace.of("u"), "x").vector(new float[] {1f, Float.NaN}).build())
                .hasMessage("vector: dimension 1 is NaN, not a finite number");
        assertThatThrownBy(() -> NewFact.builder(Namespace.of("u"), "x").vector(new float[8193]).build())
                .hasMessage("vector: 1 to 8192 dimensions, got 8193");
        assertThatThrownBy(() -> NewFact.builder(Namespace.of("u"), "x").key("").build()).hasMessage("key: must not be blank");
        String many = String.join(" ", java.util.stream.IntStream.range(0, 65).mapToObj(i -> "w" + i).toList());
        assertThatThrownBy(() -> FactQuery.in("u").text(many)).hasMessage("text: at most 64 distinct words, got 65");
        assertThatThrownBy(() -> FactQuery.in("u").limit(0)).hasMessageStartingWith("limit:");
    }

    @Test
    @DisplayName("Records with vectors compare by value, copy their vectors, and print briefly")
    void vectorsAreValues() {
        float[] v = {1f, 2f};
        NewFact a = NewFact.builder(Namespace.of("u"), "x").vector(v).build();
        v[0] = 9f;
        assertThat(a.vector()).containsExactly(1f, 2f);
        assertThat(a).isEqualTo(NewFact.builder(Namespace.of("u"), "x").vector(new float[] {1f, 2f}).build());
        a.vector()[1] = 7f;
        assertThat(a.vector()).containsExactly(1f, 2f);
        assertThat(a.toString()).contains("vector=2 dimensions").doesNotContain("[F@");
        Fact f = new Fact("id", Namespace.of("u"), null, "x", Map.of(), Map.of(), null, 1, Instant.EPOCH, Instant.EPOCH, null,
                null, new float[] {3f, 4f}, null);
        assertThat(f.cosine(new float[] {3f, 4f})).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(f.cosine(new float[] {1f})).isNaN();
        assertThat(f.hasSameContentAs(NewFact.of(Namespace.of("u"), "x"))).isTrue();
    }

    @Test
    @DisplayName("K4/K5: words are case-folded, stripped of accents and of every character that could be query syntax")
    void wordsAreNormalisedOnce() {
        assertThat(Words.of("Café CRÈME, Straße! naïve-résumé ﬁne ｆｕｌｌ İstanbul")).containsExactly("cafe", "creme", "strasse",
                "naive", "resume", "fine", "full", "istanbul");
        assertThat(Words.of("\"quoted\" *star* -x col:umn OR NEAR(a b) $set a&b|c !not <-> 'single' (beta)"))
                .containsExactly("quoted", "star", "x", "col", "umn", "or", "near", "a", "b", "set", "a", "b", "c", "not",
                        "single", "beta");
        assertThat(Words.of("* - : ( ) \" ' $ & | ! < > ^ ~ % _ ;")).isEmpty();
        assertThat(Words.of("x".repeat(150)).get(0)).hasSize(Words.MAX_WORD_LENGTH);
        assertThat(Words.query("tea Tea TEA coffee", "text")).containsExactly("tea", "coffee");
    }

    @Test
    @DisplayName("Normalisation is idempotent: a fact's indexed words, normalised again, are the same words (10,000 random texts)")
    void normalisationIsIdempotent() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(40);
            for (int c = 0; c < length; c++) {
                int cp;
                do {
                    cp = random.nextInt(4) == 0 ? random.nextInt(0x3000) : random.nextInt(128);
                } while (!Character.isDefined(cp) || Character.isSurrogate((char) cp) || cp == 0);
                b.appendCodePoint(cp);
            }
            List<String> words = Words.of(b.toString());
            assertThat(Words.of(String.join(" ", words))).as("words of %s", b).isEqualTo(words);
            for (String w : words) {
                assertThat(w.codePoints().allMatch(Character::isLetterOrDigit)).as("'%s' from %s", w, b).isTrue();
            }
        }
    }

    @Test
    @DisplayName("A query's mode follows what it asks for, and its scope binds cursors to its filters")
    void queryModesAndScopes() {
        assertThat(FactQuery.in("u").mode()).isEqualTo(FactQuery.Mode.LIST);
        assertThat(FactQuery.in("u").text("tea").mode()).isEqualTo(FactQuery.Mode.WORDS);
        assertThat(FactQuery.in("u").similarTo("tea").mode()).isEqualTo(FactQuery.Mode.SIMILAR);
        assertThat(FactQuery.in("u").hybrid("tea").mode()).isEqualTo(FactQuery.Mode.HYBRID);
        assertThat(FactQuery.in("u").text("tea").scope()).isNotEqualTo(FactQuery.in("u").text("coffee").scope())
                .isEqualTo(FactQuery.in("u").text("tea").limit(3).scope());
        assertThat(FactQuery.in("u").text("tea").label("k", "v").toString()).isEqualTo("FactQuery[u, WORDS, text=tea, labels={k=v}, limit=100]");
    }

    @Test
    @DisplayName("K6: an embedder fills in the vectors of puts and of similarity queries, and keeps those given")
    void theEmbedderFillsInVectors() {
        AtomicInteger calls = new AtomicInteger();
        FactStore facts = Stores.inMemory().facts().withEmbedder(text -> {
            calls.incrementAndGet();
            return new float[] {text.length(), 1f};
        });
        Fact embedded = facts.put(NewFact.of(Namespace.of("u"), "four"));
        assertThat(embedded.vector()).containsExactly(4f, 1f);
        Fact given = facts.put(NewFact.builder(Namespace.of("u"), "given").vector(new float[] {0f, 1f}).build());
        assertThat(given.vector()).containsExactly(0f, 1f);
        assertThat(calls).hasValue(1);
        assertThat(facts.search(FactQuery.in("u").similarTo("four").limit(1)).items().get(0).fact().id()).isEqualTo(embedded.id());
        List<Fact> batch = facts.putAll(List.of(NewFact.of(Namespace.of("u"), "a"), NewFact.of(Namespace.of("u"), "bb")));
        assertThat(batch).extracting(f -> f.vector()[0]).containsExactly(1f, 2f);
        FactStore broken = Stores.inMemory().facts().withEmbedder(text -> null);
        assertThatThrownBy(() -> broken.put(NewFact.of(Namespace.of("u"), "x"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned null");
        assertThatThrownBy(() -> Stores.inMemory().facts().search(FactQuery.in("u").similarTo("x")))
                .hasMessageContaining("withEmbedder");
    }

    @Test
    @DisplayName("A clock that went back never makes a superseded fact end before it began, and stored facts are trusted on read")
    void aClockThatWentBackAndTrustedReads() {
        Instant[] now = {Instant.parse("2026-01-01T00:00:10Z")};
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        FactStore facts = dev.memoria.inmemory.InMemoryStores.create(clock).facts();
        Fact tea = facts.put(NewFact.builder(Namespace.of("u"), "tea").key("drink").build());
        now[0] = Instant.parse("2026-01-01T00:00:05Z");
        Fact coffee = facts.put(NewFact.builder(Namespace.of("u"), "coffee").key("drink").build());
        assertThat(facts.get(tea.id()).orElseThrow().validTo()).isEqualTo(tea.validFrom()).isEqualTo(coffee.validFrom());
        // a fact read back with text over today's limit (written when the limit was higher) is kept as it is
        String older = "x".repeat(NewFact.MAX_TEXT_BYTES + 1);
        Fact stored = new Fact("id", Namespace.of("u"), "k".repeat(300), older, Map.of(), Map.of(), null, 1, Instant.EPOCH,
                Instant.EPOCH, null, null, null, null);
        assertThat(stored.text()).hasSize(NewFact.MAX_TEXT_BYTES + 1);
        assertThatThrownBy(() -> Namespace.of("a".repeat(255), "b".repeat(255), "c".repeat(255), "d".repeat(255), "e"))
                .hasMessage("namespace: at most 1024 bytes of UTF-8 in all, got 1025");
    }

    @Test
    @DisplayName("Stores composed without a fact store refuse facts() saying how to compose one")
    void storesWithoutFacts() {
        Stores in = Stores.inMemory();
        Stores three = Stores.of(in.sessions(), in.runs(), in.memory());
        assertThatThrownBy(three::facts).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Stores.of(sessions, runs, memory, facts)");
        Stores four = Stores.of(in.sessions(), in.runs(), in.memory(), in.facts());
        assertThat(four.facts()).isSameAs(in.facts());
        List<String> none = new ArrayList<>();
        assertThat(none).isEmpty();
    }
}
