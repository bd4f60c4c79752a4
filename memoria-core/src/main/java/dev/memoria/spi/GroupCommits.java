package dev.memoria.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Leader/follower batching of writes, for backends that let concurrent appends share one durable
 * commit (G1–G3). A caller {@linkplain #submit submits} its request and waits until the request is
 * settled or nobody leads; a caller that finds nobody leading becomes the leader and hands
 * everything queued (its own request and those of callers that arrived meanwhile, oldest first,
 * within the limits) to the backend's committer, which must settle every request it is given. When
 * a commit ends, every waiter wakes: those whose requests it settled return without ever taking
 * leadership, and one of the rest leads the next group. There is no timer: a caller that finds nobody queued gets a group of one
 * and commits at once (G3), and groups form only from callers that were already waiting while the
 * previous commit was being made.
 *
 * @param <R> the backend's request type
 */
public final class GroupCommits<R extends GroupCommits.Request<?>> {
    private final int maxRequests;
    private final long maxSize;
    private final Consumer<List<R>> committer;
    private final Object monitor = new Object();
    /** Whether a caller is committing a group; guarded by {@link #monitor}. */
    private boolean leading;
    private final ConcurrentLinkedQueue<R> queue = new ConcurrentLinkedQueue<>();

    /**
     * One caller's write: its size (events, say) and, once settled, its result or failure.
     *
     * @param <T> the result type
     */
    public abstract static class Request<T> {
        private final long size;
        private T value;
        private RuntimeException failure;
        private volatile boolean settled;

        /** @param size what the request counts towards a group's size limit */
        protected Request(long size) {
            this.size = size;
        }

        /** @return what the request counts towards a group's size limit */
        public long size() {
            return size;
        }

        /** @param result the request's result, once its commit is durable */
        public void succeed(T result) {
            value = result;
            failure = null;
            settled = true;
        }

        /** @param why the request's failure */
        public void fail(RuntimeException why) {
            value = null;
            failure = Objects.requireNonNull(why, "why");
            settled = true;
        }

        /** @return whether it succeeded or failed */
        public boolean isSettled() {
            return settled;
        }

        T outcome() {
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }

    /**
     * @param maxRequests the most requests one group holds
     * @param maxSize the most total size one group holds (a single larger request is a group of its own)
     * @param committer commits a group and settles each of its requests; called by one thread at a time
     */
    public GroupCommits(int maxRequests, long maxSize, Consumer<List<R>> committer) {
        if (maxRequests < 1 || maxSize < 1) {
            throw new IllegalArgumentException("maxRequests and maxSize: at least 1, got " + maxRequests + " and " + maxSize);
        }
        this.maxRequests = maxRequests;
        this.maxSize = maxSize;
        this.committer = Objects.requireNonNull(committer, "committer");
    }

    /**
     * Queues the request and returns once it is settled, committing it (and others) if this caller
     * becomes the leader.
     *
     * @param request the caller's request
     * @param <T> its result type
     * @return its result
     * @throws RuntimeException its failure
     */
    public <T> T submit(Request<T> request) {
        @SuppressWarnings("unchecked")
        R r = (R) request;
        queue.add(r);
        boolean interrupted = false;
        try {
            while (true) {
                synchronized (monitor) {
                    // a caller whose request a group settled returns at once: it never needs leadership
                    // to learn that, so a caller that keeps submitting cannot keep leading groups of one
                    while (!request.isSettled() && leading) {
                        try {
                            monitor.wait();
                        } catch (InterruptedException e) {
                            interrupted = true; // the request is queued: it must be settled before returning
                        }
                    }
                    if (request.isSettled()) {
                        return request.outcome();
                    }
                    leading = true;
                }
                try {
                    lead();
                } catch (RuntimeException groupFailed) {
                    // lead() failed every request of that group; this caller's own request, if it was
                    // not among them, is still queued, and the loop commits it or waits for it
                } catch (Error e) {
                    if (!request.isSettled() && queue.remove(r)) {
                        r.fail(new dev.memoria.StoreStateException("not committed: a group of writes failed with " + e));
                    }
                    throw e;
                } finally {
                    synchronized (monitor) {
                        leading = false;
                        monitor.notifyAll();
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return how many requests wait for a leader now (for tests) */
    int queued() {
        return queue.size();
    }

    private void lead() {
        List<R> group = new ArrayList<>();
        long size = 0;
        for (R next; group.size() < maxRequests && (next = queue.peek()) != null; ) {
            if (!group.isEmpty() && size + next.size() > maxSize) {
                break;
            }
            queue.poll();
            group.add(next);
            size += next.size();
        }
        if (group.isEmpty()) {
            return;
        }
        try {
            committer.accept(group);
        } catch (RuntimeException | Error e) {
            for (R r : group) {
                if (!r.isSettled()) {
                    r.fail(new dev.memoria.StoreStateException("a group of writes failed with " + e
                            + "; this one was not committed"));
                }
            }
            throw e;
        } finally {
            for (R r : group) {
                if (!r.isSettled()) {
                    r.fail(new dev.memoria.StoreStateException("a group of writes ended without settling this one;"
                            + " it was not committed"));
                }
            }
        }
    }
}
