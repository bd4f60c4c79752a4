package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.run.Run;
import dev.memoria.runtime.RunResult;
import dev.memoria.runtime.Suspension;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Looking a run up by the id the user typed, and the lines that say how a run stopped and how to continue it. */
final class Runs {
    private Runs() {
    }

    /** @return the run, or a one-line failure that says how to find the right id */
    static Run existing(Stores stores, String id, StoreOption store) {
        return stores.runs().get(id).orElseThrow(() -> new CliException("no run '" + id + "' in " + store.shown()
                + " (list paused runs with: memoria runs" + store.option() + "; a session's with: memoria show SESSION"
                + store.option() + ")"));
    }

    /**
     * Prints how a run stopped, under its events, as the demo does: "(run …: COMPLETED)"; for a
     * PAUSED run what it waits for, wrapped to fit 80 columns.
     */
    static void printOutcome(PrintWriter out, RunResult result) {
        String id = result.run().id();
        if (result.suspension().isEmpty()) {
            out.println("     (run " + id + ": " + result.run().status() + ")");
            return;
        }
        List<String> words = new ArrayList<>(List.of("(run", id + ":", "PAUSED,", "waiting", "for"));
        String waitingFor = Render.shorten(Render.waitingFor(result.suspension().get()), 200);
        int json = waitingFor.indexOf(" {");
        // the JSON stays whole on its line, the words before it wrap
        List<String> head = List.of((json < 0 ? waitingFor : waitingFor.substring(0, json)).split(" "));
        words.addAll(head.subList(0, head.size() - (json < 0 ? 1 : 0)));
        String last = json < 0 ? head.get(head.size() - 1) : Render.shorten(waitingFor.substring(json + 1), 72);
        words.add(last + ")");
        out.println(Render.wrap("     ", words, 79));
    }

    /**
     * Prints the command lines that continue a paused run, for a user to run next: "--approve" and
     * "--deny REASON" for an approval, "--input TEXT" for anything else.
     *
     * @param where where the user may run them, such as "from another terminal"
     */
    static void printHowToContinue(PrintWriter out, String runId, Suspension suspension, StoreOption store, String where) {
        String command = "       ./memoria resume " + runId;
        if (suspension.isApproval()) {
            out.println("     Approve or deny it " + where + " with:");
            out.println(command + " --approve" + store.option());
            out.println(command + " --deny REASON" + store.option());
        } else {
            out.println("     Answer it " + where + " with:");
            out.println(command + " --input TEXT" + store.option());
        }
    }
}
