package dev.memoria.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat keeps a run whose agent is busy without emitting (a long tool call) from looking
 * abandoned to {@code recover} in another process, and stops when the run ends. Real time: the
 * heartbeat is a timer, so this test waits about three seconds.
 */
class HeartbeatTest {
    private static Agent silentFor(Duration busy, List<List<Run>> recoveredMeanwhile, AgentRuntime other) {
        return new Agent() {
            @Override
            public String id() {
                return "busy";
            }

            @Override
            public void handle(Turn turn) throws Exception {
                Thread.sleep(busy.toMillis()); // a long tool call: no event for a while
                recoveredMeanwhile.add(other.recover(Duration.ofMillis(1_500)));
                turn.say("done");
            }
        };
    }

    @Test
    void aBusyRunIsTouchedWhileItsAgentWorksAndRecoverLeavesIt() throws Exception {
        Stores stores = Stores.inMemory();
        AgentRuntime runtime = AgentRuntime.builder(stores).heartbeat(Duration.ofSeconds(1)).build();
        AgentRuntime elsewhere = AgentRuntime.create(stores); // another process's runtime, on the same stores
        String session = runtime.startSession(null, null).id();
        List<List<Run>> recovered = new ArrayList<>();
        RunResult result = runtime.run(session, silentFor(Duration.ofMillis(2_600), recovered, elsewhere), "work");
        assertThat(recovered).containsExactly(List.of());
        assertThat(result.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(result.run().version()).as("RUNNING, two or three beats, COMPLETED").isBetween(4L, 6L);
        long ended = stores.runs().get(result.run().id()).orElseThrow().version();
        Thread.sleep(1_300);
        assertThat(stores.runs().get(result.run().id()).orElseThrow().version()).as("no beat after the run ended")
                .isEqualTo(ended);
    }

    @Test
    void withoutAHeartbeatTheSameRunLooksAbandoned() throws Exception {
        Stores stores = Stores.inMemory();
        AgentRuntime runtime = AgentRuntime.builder(stores).heartbeat(Duration.ZERO).build();
        AgentRuntime elsewhere = AgentRuntime.create(stores);
        String session = runtime.startSession(null, null).id();
        List<List<Run>> recovered = new ArrayList<>();
        RunResult result = runtime.run(session, silentFor(Duration.ofMillis(2_600), recovered, elsewhere), "work");
        assertThat(recovered).hasSize(1);
        assertThat(recovered.get(0)).extracting(Run::id).containsExactly(result.run().id());
        assertThat(result.run().status()).as("the run as stored: recovered elsewhere").isEqualTo(RunStatus.FAILED);
    }
}
