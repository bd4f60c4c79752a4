package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.session.Session;

/** Looking a session up by the id the user typed. */
final class Sessions {
    private Sessions() {
    }

    /** @return the session, or a one-line failure that says how to find the right id */
    static Session existing(Stores stores, String id, StoreOption store) {
        return stores.sessions().get(id).orElseThrow(() -> new CliException("no session '" + id + "' in " + store.shown()
                + " (list them with: memoria sessions" + store.option() + ")"));
    }
}
