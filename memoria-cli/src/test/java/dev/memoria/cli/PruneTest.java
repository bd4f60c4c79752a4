package dev.memoria.cli;

import static dev.memoria.cli.CliTest.memoria;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.Stores;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code memoria prune}: ages that cannot empty a store by mistake, and a look before a large removal. */
class PruneTest {
    @TempDir
    Path dir;

    @AfterEach
    void nobodyAtTheTerminal() {
        PruneCommand.interactive = () -> null;
    }

    private String store() {
        return "sqlite:" + dir.resolve("prune.db");
    }

    /** Sessions whose last change lies {@code age} in the past. */
    private void sessionsAged(Duration age, String... ids) {
        try (Stores stores = Stores.open(store(), Clock.fixed(Instant.now().minus(age), ZoneOffset.UTC))) {
            for (String id : ids) {
                stores.sessions().create(NewSession.builder().id(id).build());
            }
        }
    }

    private List<String> sessionIds() {
        try (Stores stores = Stores.open(store())) {
            return Listings.sessions(stores, SessionFilter.all()).stream().map(Session::id).sorted().toList();
        }
    }

    @Test
    void agesOfZeroOrLessAmbiguousUnitsAndUnderAMinuteAreUsageErrorsThatRemoveNothing() {
        sessionsAged(Duration.ofDays(3), "a", "b");
        for (String age : List.of("-1d", "0d", "0min", "1s", "30s", "PT30S", "PT0S", "P0D", "-P1D", "P-1D", "P1M-40D",
                "1m", "1M", "-1m", "10x", "soon", "", "P", "PT")) {
            for (String option : List.of("--inactive-for", "--ended-before")) {
                CliTest.Result r = memoria("prune", "--store", store(), option, age);
                assertThat(r.code()).as(option + " " + age + ": " + r.err()).isEqualTo(Main.BAD_USAGE);
                assertThat(r.err().lines()).as("one line").hasSize(1);
                assertThat(r.err()).startsWith("memoria: Invalid value for option '" + option + "': '" + age + "' ")
                        .contains("(accepted: 30min, 12h, 30d, 2w, 6mo, 1y, or ISO-8601 such as P30D, P1M, P1Y, PT12H)");
                assertThat(r.out()).isEmpty();
            }
        }
        assertThat(sessionIds()).containsExactly("a", "b");
        assertThat(memoria("prune", "--store", store(), "--inactive-for", "1m").err())
                .contains("'1m' is ambiguous: write 1min for minutes or 1mo for months");
        assertThat(memoria("prune", "--store", store(), "--inactive-for", "-1d").err()).contains("'-1d' is not more than zero");
        assertThat(memoria("prune", "--store", store(), "--inactive-for", "PT30S").err()).contains("'PT30S' is under one minute");
    }

    @Test
    void agesInMinutesHoursDaysWeeksMonthsYearsAndIso8601FollowTheUtcCalendar() {
        Instant march31 = Instant.parse("2024-03-31T12:00:00Z");
        assertThat(Age.parse("90min").before(march31)).isEqualTo(march31.minus(Duration.ofMinutes(90)));
        assertThat(Age.parse("12h").before(march31)).isEqualTo(Instant.parse("2024-03-31T00:00:00Z"));
        assertThat(Age.parse("PT12H").before(march31)).isEqualTo(Instant.parse("2024-03-31T00:00:00Z"));
        assertThat(Age.parse("30d").before(march31)).isEqualTo(Instant.parse("2024-03-01T12:00:00Z"));
        assertThat(Age.parse("P30D").before(march31)).isEqualTo(Instant.parse("2024-03-01T12:00:00Z"));
        assertThat(Age.parse("2w").before(march31)).isEqualTo(Instant.parse("2024-03-17T12:00:00Z"));
        assertThat(Age.parse("1mo").before(march31)).as("a month before March 31 of a leap year")
                .isEqualTo(Instant.parse("2024-02-29T12:00:00Z"));
        assertThat(Age.parse("P1M").before(march31)).isEqualTo(Instant.parse("2024-02-29T12:00:00Z"));
        assertThat(Age.parse("1y").before(Instant.parse("2024-02-29T00:00:00Z"))).isEqualTo(Instant.parse("2023-02-28T00:00:00Z"));
        assertThat(Age.parse("p1y").period()).isEqualTo(Period.ofYears(1));
        assertThat(Age.parse("P1Y2M3DT4H5M").before(march31)).isEqualTo(Instant.parse("2023-01-28T07:55:00Z"));
        assertThat(Age.parse("PT1M").time()).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> Age.parse("P1M-40D")).hasMessageContaining("not more than zero");
    }

    @Test
    void monthsAreMonthsAndMinutesAreMinutesOnTheCommandLine() {
        sessionsAged(Duration.ofDays(40), "old");
        sessionsAged(Duration.ofDays(20), "recent");
        for (String month : List.of("1mo", "P1M")) {
            CliTest.Result dry = memoria("prune", "--store", store(), "--inactive-for", month, "--dry-run");
            assertThat(dry.code()).as(dry.err()).isZero();
            List<String> lines = dry.out().lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).as(month).startsWith("would remove old (ACTIVE, last change ");
            assertThat(lines.get(1)).isEqualTo("Would remove 1 session, 0 runs, 0 events.");
        }
        assertThat(memoria("prune", "--store", store(), "--inactive-for", "30min", "--dry-run").out())
                .contains("would remove old", "would remove recent", "Would remove 2 sessions");
        CliTest.Result pruned = memoria("prune", "--store", store(), "--inactive-for", "P1M");
        assertThat(pruned.code()).as(pruned.err()).isZero();
        assertThat(sessionIds()).containsExactly("recent");
    }

    @Test
    void moreThanThreeSessionsAreListedAndWithNobodyToAskRemovedOnlyWithYes() {
        sessionsAged(Duration.ofDays(10), "s1", "s2", "s3", "s4", "s5");
        CliTest.Result refused = memoria("prune", "--store", store(), "--inactive-for", "1d");
        assertThat(refused.code()).isEqualTo(Main.FAILED);
        assertThat(refused.out().lines().filter(l -> l.startsWith("would remove s"))).hasSize(5);
        assertThat(refused.out()).contains("Would remove 5 sessions, 0 runs, 0 events.");
        assertThat(refused.err().lines()).as("one line").containsExactly("memoria: not removing 5 sessions without"
                + " confirmation: re-run with --yes to remove them, or with --dry-run to only list them");
        assertThat(sessionIds()).hasSize(5);

        CliTest.Result dry = memoria("prune", "--store", store(), "--inactive-for", "1d", "--dry-run");
        assertThat(dry.code()).isZero();
        assertThat(dry.out()).contains("Would remove 5 sessions");
        assertThat(sessionIds()).hasSize(5);

        CliTest.Result yes = memoria("prune", "--store", store(), "--inactive-for", "1d", "--yes");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("removing s1", "removing s5", "Removed 5 sessions, 0 runs, 0 events.");
        assertThat(sessionIds()).isEmpty();
    }

    @Test
    void atTheTerminalMoreThanThreeSessionsAreRemovedOnlyIfTheAnswerIsYes() {
        sessionsAged(Duration.ofDays(10), "s1", "s2", "s3", "s4");
        List<String> questions = new ArrayList<>();
        for (String answer : new String[] {"n", "", null, "maybe"}) {
            PruneCommand.interactive = () -> question -> {
                questions.add(question);
                return answer;
            };
            CliTest.Result declined = memoria("prune", "--store", store(), "--inactive-for", "1d");
            assertThat(declined.code()).as("answer " + answer).isEqualTo(Main.FAILED);
            assertThat(declined.err().lines()).containsExactly("memoria: nothing removed (not confirmed)");
            assertThat(declined.out()).contains("would remove s1", "would remove s4", "Would remove 4 sessions");
            assertThat(sessionIds()).hasSize(4);
        }
        assertThat(questions).hasSize(4).allMatch(q -> q.equals("Remove these 4 sessions with their runs and events? [y/N] "));

        PruneCommand.interactive = () -> question -> "y";
        CliTest.Result confirmed = memoria("prune", "--store", store(), "--inactive-for", "1d");
        assertThat(confirmed.code()).as(confirmed.err()).isZero();
        assertThat(confirmed.out()).contains("Would remove 4 sessions", "Removed 4 sessions, 0 runs, 0 events.");
        assertThat(sessionIds()).isEmpty();
    }

    @Test
    void threeSessionsOrFewerNeedNoConfirmation() {
        sessionsAged(Duration.ofDays(10), "s1", "s2", "s3");
        PruneCommand.interactive = () -> question -> {
            throw new AssertionError("asked: " + question);
        };
        CliTest.Result pruned = memoria("prune", "--store", store(), "--inactive-for", "1w");
        assertThat(pruned.code()).as(pruned.err()).isZero();
        assertThat(pruned.out()).contains("Removed 3 sessions");
        assertThat(sessionIds()).isEmpty();
    }
}
