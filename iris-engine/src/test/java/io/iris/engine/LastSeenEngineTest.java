package io.iris.engine;

import io.iris.testsupport.Await;
import io.iris.api.IrisConfig;
import io.iris.protocol.Presence;
import io.iris.api.storage.InboxStore;
import io.iris.client.IrisClient;
import io.iris.engine.auth.JwtMinter;
import io.iris.storage.memory.MemoryInboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Last seen is kept by the storage provider, so a restarted engine still knows it (issue 11). */
class LastSeenEngineTest {
    private static final String SECRET = "last-seen-test-secret-0123456789abcdefgh";
    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private final MemoryInboxStore data = new MemoryInboxStore();
    private IrisEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        data.close();
    }

    private IrisEngine start() {
        engine = IrisEngine.builder().storage(new Surviving(data))
            .config(IrisConfig.of(Map.of("server.host", "127.0.0.1", "server.port", "0", "auth.jwt.secret", SECRET)))
            .start();
        return engine;
    }

    @Test
    void lastSeenSurvivesAnEngineRestart() throws Exception {
        start();
        assertThat(engine.presence("bob").get(10, TimeUnit.SECONDS).lastSeenMillis()).as("never seen").isZero();
        final long before = System.currentTimeMillis();
        final IrisClient bob = IrisClient.builder().address("127.0.0.1", engine.port())
            .token(minter.mint("bob", Duration.ofHours(1))).deviceId("phone").listener(d -> { }).build();
        bob.connect().get(10, TimeUnit.SECONDS);
        assertThat(engine.presence("bob").get(10, TimeUnit.SECONDS).online()).isTrue();
        bob.close();
        Await.until(() -> !engine.presence("bob").join().online(), "bob offline");
        final long seen = engine.presence("bob").get(10, TimeUnit.SECONDS).lastSeenMillis();
        assertThat(seen).isGreaterThanOrEqualTo(before);

        engine.close();
        start();
        final Presence after = engine.presence("bob").get(10, TimeUnit.SECONDS);
        assertThat(after.online()).isFalse();
        assertThat(after.lastSeenMillis()).as("last seen after the restart").isEqualTo(seen);
    }

    /** The test's "durable storage": the engine closes its store at stop, this one keeps the data. */
    private static final class Surviving extends ForwardingInboxStore {
        Surviving(final InboxStore data) {
            super(data);
        }

        @Override
        public void close() {
            // the data outlives the engine
        }
    }
}
