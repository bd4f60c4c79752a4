package dev.memoria.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrisTest {
    @Test
    void passwordsInQueryOptionsAndUserInfoAreMasked() {
        assertThat(Uris.redact("jdbc:postgresql://db:5432/agents?user=ada&password=s3cr3t&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/agents?user=ada&password=***&ssl=true");
        assertThat(Uris.redact("jdbc:postgresql://db/agents?PASSWORD=x&sslpassword=y"))
                .isEqualTo("jdbc:postgresql://db/agents?PASSWORD=***&sslpassword=***");
        assertThat(Uris.redact("mongodb://ada:p%40ss@host1,host2/agents?authSource=admin"))
                .isEqualTo("mongodb://ada:***@host1,host2/agents?authSource=admin");
        assertThat(Uris.redact("mongodb+srv://ada:pw@cluster.example.net/db?apiKey=abc&token=t"))
                .isEqualTo("mongodb+srv://ada:***@cluster.example.net/db?apiKey=***&token=***");
        assertThat(Uris.redact("sqlite:./memoria.db?durability=NORMAL")).isEqualTo("sqlite:./memoria.db?durability=NORMAL");
        assertThat(Uris.redact("jdbc:postgresql://db/agents?password=")).isEqualTo("jdbc:postgresql://db/agents?password=");
        assertThat(Uris.redact(null)).isNull();
    }

    @Test
    void aMessageQuotingTheUriLosesItsSecrets() {
        String uri = "jdbc:postgresql://db/agents?user=ada&password=hunter22";
        assertThat(Uris.redactIn("cannot open " + uri + ": the password hunter22 was refused", uri))
                .isEqualTo("cannot open jdbc:postgresql://db/agents?user=ada&password=***: the password *** was refused");
        assertThat(Uris.scheme("JDBC:postgresql://x")).isEqualTo("jdbc:");
        String shortSecret = "mongodb://ada:pw@host/db";
        assertThat(Uris.redactIn("cannot reach " + shortSecret + ": a pwd is wrong", shortSecret))
                .as("a secret too short to mask on its own still goes with its URI, and ordinary words stay")
                .isEqualTo("cannot reach mongodb://ada:***@host/db: a pwd is wrong");
    }
}
