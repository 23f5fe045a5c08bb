package io.iris.engine;

import io.iris.api.IrisConfig;
import io.iris.api.Presence;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import io.iris.client.IrisClient;
import io.iris.engine.auth.JwtMinter;
import io.iris.storage.memory.MemoryInboxStore;
import org.agrona.DirectBuffer;
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
    private static final class Surviving implements InboxStore {
        private final InboxStore data;

        Surviving(final InboxStore data) {
            this.data = data;
        }

        @Override
        public long append(final String userId, final String senderId, final long clientMsgId, final DirectBuffer record,
                           final int offset, final int length) {
            return data.append(userId, senderId, clientMsgId, record, offset, length);
        }

        @Override
        public void sync() {
            data.sync();
        }

        @Override
        public int read(final String userId, final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
            return data.read(userId, afterSeq, maxRecords, visitor);
        }

        @Override
        public long lastSeq(final String userId) {
            return data.lastSeq(userId);
        }

        @Override
        public long cursor(final String userId, final String deviceId) {
            return data.cursor(userId, deviceId);
        }

        @Override
        public void ack(final String userId, final String deviceId, final long upToSeq) {
            data.ack(userId, deviceId, upToSeq);
        }

        @Override
        public void recordLastSeen(final String userId, final long epochMillis) {
            data.recordLastSeen(userId, epochMillis);
        }

        @Override
        public long lastSeen(final String userId) {
            return data.lastSeen(userId);
        }

        @Override
        public void close() {
            // the data outlives the engine
        }
    }
}
