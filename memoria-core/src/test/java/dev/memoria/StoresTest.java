package dev.memoria;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StoresTest {

    @Test
    void openFindsTheInMemoryProviderAndNamesTheAvailableSchemesOtherwise() {
        try (Stores stores = Stores.open("memory:")) {
            assertThat(stores.sessions().create(NewSession.anonymous()).version()).isEqualTo(1);
        }
        assertThatThrownBy(() -> Stores.open("redis://localhost")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("uri: no store provider for 'redis:'; available: memory:");
        assertThatThrownBy(() -> Stores.open("memory:other")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use exactly 'memory:'");
        assertThatThrownBy(() -> Stores.open(" ")).isInstanceOf(IllegalArgumentException.class).hasMessage("uri: must not be blank");
        assertThatThrownBy(() -> Stores.open(null)).isInstanceOf(NullPointerException.class).hasMessage("uri");
    }

    @Test
    void ofMixesStoresChecksSessionsAcrossThemAndClosesOnce() {
        Stores a = Stores.inMemory();
        Stores b = Stores.inMemory();
        AtomicInteger closed = new AtomicInteger();
        Stores mixed = Stores.of(a.sessions(), b.runs(), b.memory(), closed::incrementAndGet);
        Session s = mixed.sessions().create(NewSession.anonymous());
        assertThat(mixed.runs().create(dev.memoria.run.NewRun.of(s.id(), "agent")).sessionId()).isEqualTo(s.id());
        assertThatThrownBy(() -> mixed.runs().create(dev.memoria.run.NewRun.of("missing", "agent")))
                .isInstanceOf(NotFoundException.class);
        mixed.close();
        mixed.close();
        assertThat(closed).hasValue(1);
    }

    @Test
    void ofKeepsABackendsOwnReadModifyWrite() {
        Stores backend = Stores.inMemory();
        AtomicInteger ownUpdates = new AtomicInteger();
        dev.memoria.run.RunStore locking = new dev.memoria.run.RunStore() {
            @Override
            public dev.memoria.run.Run create(dev.memoria.run.NewRun spec) {
                return backend.runs().create(spec);
            }

            @Override
            public java.util.Optional<dev.memoria.run.Run> get(String id) {
                return backend.runs().get(id);
            }

            @Override
            public dev.memoria.run.Run update(dev.memoria.run.Run changed) {
                return backend.runs().update(changed);
            }

            @Override
            public dev.memoria.run.Run update(String id, java.util.function.UnaryOperator<dev.memoria.run.Run> change) {
                ownUpdates.incrementAndGet(); // say, under a row lock, never retried
                return backend.runs().update(id, change);
            }

            @Override
            public Page<dev.memoria.run.Run> list(dev.memoria.run.RunFilter filter) {
                return backend.runs().list(filter);
            }

            @Override
            public boolean delete(String id) {
                return backend.runs().delete(id);
            }
        };
        Stores mixed = Stores.of(backend.sessions(), locking, backend.memory());
        Session s = mixed.sessions().create(NewSession.anonymous());
        dev.memoria.run.Run run = mixed.runs().create(dev.memoria.run.NewRun.of(s.id(), "agent"));
        mixed.runs().update(run.id(), r -> r.withLabel("k", "v"));
        assertThat(ownUpdates).as("calls of the backend's own update(id, fn)").hasValue(1);
    }

    @Test
    void recordsPrintShortReadableText() {
        String huge = "y".repeat(1_000_000);
        Event event = Event.userMessage(huge);
        assertThat(event.toString()).hasSizeLessThan(200).startsWith("Event[USER_MESSAGE, key ");
        MemoryEvent stored = new MemoryEvent(new RunRef("s", "a", "r"), 3, "k", EventType.USER_MESSAGE,
                Instant.EPOCH, Map.of("text", huge), Map.of());
        assertThat(stored.toString()).hasSizeLessThan(200).startsWith("MemoryEvent[#3 of run r, USER_MESSAGE, \"yyy");
        Session session = new Session("s", "ada", dev.memoria.session.SessionStatus.ACTIVE, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH,
                null, Map.of(), Map.of("blob", huge.substring(0, 60_000)), 2);
        assertThat(session.toString()).isEqualTo(
                "Session[s, user ada, ACTIVE, v2, created 1970-01-01T00:00:00Z, 0 labels, 1 metadata keys]");
        assertThat(new Page<>(List.of(1, 2), null).toString()).isEqualTo("Page[2 items, last]");
    }

    @Test
    void typedReadersRefuseTheWrongEventType() {
        MemoryEvent text = new MemoryEvent(new RunRef("s", "a", "r"), 1, "k", EventType.THINKING, Instant.EPOCH,
                Map.of("text", "hm"), Map.of());
        assertThat(text.text()).isEqualTo("hm");
        assertThatThrownBy(text::toolCall).isInstanceOf(IllegalStateException.class)
                .hasMessage("event 1 is a THINKING, not a TOOL_CALL");
        assertThat(text.toEvent().key()).isEqualTo("k");
        assertThat(Event.userMessage("x").timestamp()).as("stamped by the store at append").isNull();
        assertThat(Event.userMessage("x").withTimestamp(Instant.parse("2026-01-01T00:00:00.123456Z")).timestamp())
                .isEqualTo(Instant.parse("2026-01-01T00:00:00.123Z"));
    }
}
