package dev.memoria.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GroupCommitsTest {
    private static final class Write extends GroupCommits.Request<String> {
        final String name;

        Write(String name, long size) {
            super(size);
            this.name = name;
        }
    }

    @Test
    @DisplayName("A lone caller commits at once in a group of one; callers waiting during a commit form the next group")
    void callersWaitingDuringACommitShareTheNext() throws Exception {
        List<List<String>> groups = new CopyOnWriteArrayList<>();
        CountDownLatch firstCommitting = new CountDownLatch(1);
        CountDownLatch othersQueued = new CountDownLatch(1);
        GroupCommits<Write> commits = new GroupCommits<>(64, 1_000, group -> {
            groups.add(group.stream().map(w -> w.name).toList());
            if (groups.size() == 1) {
                firstCommitting.countDown();
                try {
                    othersQueued.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            group.forEach(w -> {
                if (w.name.equals("bad")) {
                    w.fail(new IllegalArgumentException("bad alone"));
                } else {
                    w.succeed(w.name + " done");
                }
            });
        });
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<String> first = pool.submit(() -> commits.submit(new Write("first", 1)));
            assertThat(firstCommitting.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<String>> others = new ArrayList<>();
            for (String name : List.of("a", "bad", "b", "c")) {
                others.add(pool.submit(() -> commits.submit(new Write(name, 1))));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (commits.queued() < 4 && System.nanoTime() < deadline) { // the four queue while the first commit leads
                Thread.onSpinWait();
            }
            assertThat(commits.queued()).isEqualTo(4);
            othersQueued.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first done");
            assertThat(others.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("a done");
            assertThatThrownBy(() -> others.get(1).get(10, TimeUnit.SECONDS)).hasRootCauseMessage("bad alone");
            assertThat(others.get(3).get(10, TimeUnit.SECONDS)).isEqualTo("c done");
        } finally {
            pool.shutdownNow();
        }
        assertThat(groups).as("the four that waited during the first commit share the next one").hasSize(2);
        assertThat(groups.get(0)).containsExactly("first");
        assertThat(groups.get(1)).containsExactlyInAnyOrder("a", "bad", "b", "c");
    }

    @Test
    @DisplayName("Callers whose requests a group settled return without waiting for leadership, so a caller that keeps"
            + " submitting cannot lead groups of one while the others wait to hear they are done")
    void settledCallersReturnWithoutLeadership() throws Exception {
        int threads = 8;
        int each = 40;
        java.util.concurrent.atomic.AtomicInteger groups = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger largest = new java.util.concurrent.atomic.AtomicInteger();
        GroupCommits<Write> commits = new GroupCommits<>(64, 1_000, group -> {
            groups.incrementAndGet();
            largest.accumulateAndGet(group.size(), Math::max);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // a commit's fsync
            group.forEach(w -> w.succeed(w.name));
        });
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        assertThat(commits.submit(new Write(thread + ":" + i, 1))).isEqualTo(thread + ":" + i);
                    }
                    return each;
                }));
            }
            start.countDown();
            for (Future<Integer> f : futures) {
                assertThat(f.get(1, TimeUnit.MINUTES)).isEqualTo(each);
            }
        } finally {
            pool.shutdownNow();
        }
        int requests = threads * each;
        assertThat(largest.get()).as("the callers overlapped").isGreaterThan(1);
        assertThat(groups.get()).as("commits for %d requests of %d callers that always have one waiting", requests, threads)
                .isLessThanOrEqualTo(requests / 3);
    }

    @Test
    @DisplayName("A leader whose own request was not in the group that failed goes on to commit it, and never reports"
            + " the others' failure as its own")
    void aLeaderIsNeverFailedByAGroupItsRequestWasNotIn() throws Exception {
        // the first caller, back from its commit, submits again at once and usually leads again before
        // the waiter wakes; its new request is then behind the waiter's doomed one
        for (int round = 0; round < 20; round++) {
            CountDownLatch firstCommitting = new CountDownLatch(1);
            CountDownLatch doomedQueued = new CountDownLatch(1);
            GroupCommits<Write> commits = new GroupCommits<>(1, 1_000, group -> {
                Write w = group.get(0);
                if (w.name.equals("first")) {
                    firstCommitting.countDown();
                    try {
                        doomedQueued.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                if (w.name.equals("doomed")) {
                    throw new IllegalStateException("the doomed group's commit failed");
                }
                w.succeed(w.name + " done");
            });
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<String> firstThenInnocent = pool.submit(() -> commits.submit(new Write("first", 1))
                        + ", " + commits.submit(new Write("innocent", 1)));
                assertThat(firstCommitting.await(10, TimeUnit.SECONDS)).isTrue();
                Future<String> doomed = pool.submit(() -> commits.submit(new Write("doomed", 1)));
                waitUntilQueued(commits, 1);
                doomedQueued.countDown();
                assertThat(firstThenInnocent.get(10, TimeUnit.SECONDS)).as("round %d", round).isEqualTo("first done, innocent done");
                assertThatThrownBy(() -> doomed.get(10, TimeUnit.SECONDS)).hasMessageContaining("the doomed group's commit failed");
                assertThat(commits.queued()).isZero();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void waitUntilQueued(GroupCommits<?> commits, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (commits.queued() < count && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(commits.queued()).isEqualTo(count);
    }

    @Test
    @DisplayName("A group holds at most its limits, and a committer that throws settles every request of its group")
    void limitsAndFailures() {
        List<Integer> sizes = new ArrayList<>();
        GroupCommits<Write> commits = new GroupCommits<>(2, 10, group -> {
            sizes.add(group.size());
            throw new IllegalStateException("disk on fire");
        });
        assertThatThrownBy(() -> commits.submit(new Write("x", 50))).hasMessageContaining("disk on fire");
        assertThat(sizes).containsExactly(1);
        assertThatThrownBy(() -> new GroupCommits<Write>(0, 1, g -> { })).isInstanceOf(IllegalArgumentException.class);
    }
}
