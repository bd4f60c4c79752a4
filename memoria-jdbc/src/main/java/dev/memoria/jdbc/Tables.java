package dev.memoria.jdbc;

/** Table and index names under one prefix. The prefix is validated, so names are safe to splice. */
final class Tables {
    final String prefix;
    final String schemaVersion;
    final String sessions;
    final String runs;
    final String heads;
    final String events;
    final String facts;
    final String factWords;

    Tables(String prefix) {
        this.prefix = prefix;
        this.schemaVersion = prefix + "schema_version";
        this.sessions = prefix + "sessions";
        this.runs = prefix + "runs";
        this.heads = prefix + "run_heads";
        this.events = prefix + "events";
        this.facts = prefix + "facts";
        this.factWords = prefix + "fact_words";
    }

    /** Replaces {@code {sessions}}-style placeholders in SQL text. */
    String sql(String template) {
        return template.replace("{schema_version}", schemaVersion).replace("{sessions}", sessions)
                .replace("{runs}", runs).replace("{run_heads}", heads).replace("{events}", events)
                .replace("{facts}", facts).replace("{fact_words}", factWords).replace("{p}", prefix);
    }
}
