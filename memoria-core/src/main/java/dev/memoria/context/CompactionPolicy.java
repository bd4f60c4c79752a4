package dev.memoria.context;

import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;

/**
 * When a session is due for compaction and how much of its end stays as it is (C9). Immutable.
 *
 * <pre>{@code
 * CompactionPolicy.afterTurns(20, 10);      // every 20 user messages, keep the last 10 events
 * CompactionPolicy.overTokens(8_000, 10);   // once the view holds about 8,000 tokens
 * }</pre>
 */
public final class CompactionPolicy {
    private final int turns;
    private final int tokens;
    private final int keep;

    private CompactionPolicy(int turns, int tokens, int keep) {
        if (keep < 1 || keep > 1000) {
            throw new IllegalArgumentException("keep: 1 to 1000 events, got " + keep);
        }
        this.turns = turns;
        this.tokens = tokens;
        this.keep = keep;
    }

    /**
     * @param turns compact once the view holds this many user messages after its summary, at least 2
     * @param keep how many of the view's last events stay unsummarized, 1 to 1000
     * @return the policy
     */
    public static CompactionPolicy afterTurns(int turns, int keep) {
        if (turns < 2) {
            throw new IllegalArgumentException("turns: at least 2, got " + turns);
        }
        return new CompactionPolicy(turns, 0, keep);
    }

    /**
     * @param budget compact once the view's estimated tokens ({@link #estimatedTokens}) exceed this, at least 100
     * @param keep how many of the view's last events stay unsummarized, 1 to 1000
     * @return the policy
     */
    public static CompactionPolicy overTokens(int budget, int keep) {
        if (budget < 100) {
            throw new IllegalArgumentException("budget: at least 100 tokens, got " + budget);
        }
        return new CompactionPolicy(0, budget, keep);
    }

    /** @return how many of the view's last events a compaction leaves as they are */
    public int keep() {
        return keep;
    }

    /**
     * @param view a session's view
     * @return whether it is due for compaction
     */
    public boolean isDue(View view) {
        if (view.events().size() - (view.summary().isPresent() ? 1 : 0) <= keep) {
            return false;
        }
        if (turns > 0) {
            return view.events().stream().filter(e -> e.type() == EventType.USER_MESSAGE).count() >= turns;
        }
        return view.events().stream().mapToLong(CompactionPolicy::estimatedTokens).sum() > tokens;
    }

    /**
     * A rough estimate, the same on every machine: four characters a token, plus four for the
     * message's framing.
     *
     * @param event an event
     * @return its estimated tokens
     */
    public static long estimatedTokens(MemoryEvent event) {
        return 4 + event.data().toString().length() / 4;
    }

    @Override
    public String toString() {
        return turns > 0 ? "CompactionPolicy[after " + turns + " turns, keep " + keep + "]"
                : "CompactionPolicy[over " + tokens + " tokens, keep " + keep + "]";
    }
}
