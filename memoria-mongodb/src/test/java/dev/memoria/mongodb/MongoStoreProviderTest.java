package dev.memoria.mongodb;

import dev.memoria.testservers.MongoTestServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoClientSettings;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.session.NewSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Opening stores from a {@code mongodb:} URI: Memoria's options, unreachable servers, masked credentials. */
class MongoStoreProviderTest {

    /** @return the messages of a throwable and all its causes */
    private static String allMessages(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable e = t; e != null; e = e.getCause()) {
            out.append(e.getMessage()).append('\n');
        }
        return out.toString();
    }

    @Test
    void anUnreachableServerFailsWithinItsTimeoutNamingTheHostAndTheSetting() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> Stores.open("mongodb://ada:s3cret-pw@localhost:1/memoria?serverSelectionTimeoutMS=500"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessage("cannot prepare the 'memoria_' collections: no MongoDB server answered at localhost:1 within"
                        + " 500 ms (serverSelectionTimeoutMS; raise it in the URI to wait longer)")
                .matches(e -> ((StoreUnavailableException) e).retryable(), "retryable")
                .satisfies(e -> assertThat(allMessages(e)).doesNotContain("s3cret-pw"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to fail").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anUnreachableServerBehindTheUsersClientNamesTheClientsSetting() {
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyToClusterSettings(c -> c.hosts(List.of(new ServerAddress("localhost", 1)))
                        .serverSelectionTimeout(300, TimeUnit.MILLISECONDS))
                .build();
        try (MongoClient client = MongoClients.create(settings)) {
            MongoDatabase db = client.getDatabase("memoria");
            assertThatThrownBy(() -> MongoStores.create(db)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessage("cannot prepare the 'memoria_' collections: no MongoDB server answered within the client's"
                            + " serverSelectionTimeoutMS (is the server running and reachable from here?)");
        }
    }

    @Test
    void thePrefixOptionNamesTheCollectionsAndNeverReachesTheDriver() {
        MongoTestServer fixture = MongoTestServer.get();
        String database = fixture.freshDatabase().getName();
        try (Stores stores = Stores.open(fixture.uri() + "/" + database + "?serverSelectionTimeoutMS=5000&prefix=custom_&appName=t")) {
            stores.sessions().create(NewSession.builder().id("prefixed").build());
        }
        try (Stores stores = Stores.open(fixture.uri() + "/" + database + "?PREFIX=custom_")) {
            assertThat(stores.sessions().get("prefixed")).as("option names are case-insensitive, as the driver's are").isPresent();
        }
        MongoDatabase db = fixture.client().getDatabase(database);
        assertThat(db.getCollection("custom_sessions").countDocuments()).isEqualTo(1);
        assertThat(db.listCollectionNames().into(new java.util.ArrayList<>())).noneMatch(name -> name.startsWith("memoria_"));
    }

    @Test
    void memoriaOptionsAreCheckedByName() {
        String base = MongoTestServer.get().uri() + "/memoria";
        assertThatThrownBy(() -> Stores.open(base + "?prefix=Bad")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri: option 'prefix': collectionPrefix: must match [a-z][a-z0-9_]{0,30}, got 'Bad'");
        assertThatThrownBy(() -> Stores.open(base + "?prefix=a_&prefix=b_")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri: option 'prefix' is given twice");
        assertThatThrownBy(() -> Stores.open(base + "?durability=FULL")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri: option 'durability' applies to SQLite stores only (Memoria's options on mongodb: URIs: prefix)");
        assertThatThrownBy(() -> Stores.open(base + "?create=false")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("uri: option 'create' applies to SQLite stores only");
    }

    @Test
    void aMalformedUriIsRefusedWithoutShowingItsPassword() {
        assertThatThrownBy(() -> Stores.open("mongodb://ada:pass%word@localhost/memoria"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri: not a MongoDB connection string: a %-escape in it is invalid (write a % sign as %25)")
                .hasNoCause();
        for (String uri : List.of("mongodb://ada:password1@localhost:99999/memoria",
                "mongodb://ada:password1@localhost/memoria?authMechanism=BOGUS&password=password1")) {
            assertThatThrownBy(() -> Stores.open(uri)).as(uri).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("uri: not a MongoDB connection string: ")
                    .satisfies(e -> assertThat(allMessages(e)).doesNotContain("password1"));
        }
    }
}
