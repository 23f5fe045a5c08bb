package io.iris.engine;

import io.iris.testsupport.Await;
import io.iris.api.IrisConfig;
import io.iris.protocol.SendStatus;
import io.iris.api.storage.InboxVisitor;
import io.iris.client.IrisClient;
import io.iris.engine.auth.JwtMinter;
import io.iris.storage.memory.MemoryInboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a device's delivery starts (issue 11): LOGIN_OK's {@code cursor} is never below the oldest record
 * still stored minus one, after a trim or after retention, so every seq in {@code (cursor, lastSeq]} really is
 * delivered next.
 */
class InboxStartEngineTest {
    private static final String SECRET = "inbox-start-test-secret-0123456789abcdef";
    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private final MemoryInboxStore store = new MemoryInboxStore();
    private IrisEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    /** What a client learns from LOGIN_OK and DELIVER. */
    private static final class Seen implements IrisClient.Listener {
        final BlockingQueue<long[]> logins = new LinkedBlockingQueue<>();
        final BlockingQueue<Long> seqs = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(final IrisClient.Delivery delivery) {
            seqs.add(delivery.seq());
        }

        @Override
        public void onConnected(final long cursor, final long lastSeq) {
            logins.add(new long[]{cursor, lastSeq});
        }
    }

    private IrisClient connect(final String user, final String device, final Seen seen) throws Exception {
        final IrisClient c = IrisClient.builder().address("127.0.0.1", engine.port())
            .token(minter.mint(user, Duration.ofHours(1))).deviceId(device).listener(seen).build();
        c.connect().get(10, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void afterRetentionExpiredTheOldestRecordsADeviceStartsAtTheOldestLeft() throws Exception {
        final Expiring expiring = new Expiring(store);
        engine = IrisEngine.builder().storage(expiring)
            .config(IrisConfig.of(Map.of("server.host", "127.0.0.1", "server.port", "0", "auth.jwt.secret", SECRET)))
            .start();
        for (int i = 1; i <= 5; i++) {
            assertThat(engine.send("alice", "bob", i, new byte[]{(byte) i}).get(10, TimeUnit.SECONDS).seq()).isEqualTo(i);
        }
        expiring.expiredThrough = 3; // retention removed 1..3, nobody having read them
        final Seen phone = new Seen();
        try (IrisClient bobPhone = connect("bob", "phone", phone)) {
            assertThat(phone.logins.poll(10, TimeUnit.SECONDS)).as("cursor, lastSeq").containsExactly(3L, 5L);
            assertThat(phone.seqs.poll(10, TimeUnit.SECONDS)).isEqualTo(4L);
            assertThat(phone.seqs.poll(10, TimeUnit.SECONDS)).isEqualTo(5L);
        }
    }

    /** A store whose records up to {@link #expiredThrough} count as expired by retention (read skips them). */
    private static final class Expiring extends ForwardingInboxStore {
        volatile long expiredThrough;

        Expiring(final MemoryInboxStore data) {
            super(data);
        }

        @Override
        public int read(final String userId, final long afterSeq, final int maxRecords,
                        final InboxVisitor visitor) {
            return delegate.read(userId, Math.max(afterSeq, expiredThrough), maxRecords, visitor);
        }

        @Override
        public long oldestSeq(final String userId) {
            return Math.max(delegate.oldestSeq(userId), Math.min(expiredThrough, delegate.lastSeq(userId)) + 1);
        }
    }

    @Test
    void aNewDeviceAfterATrimIsPromisedOnlyWhatIsStillStored() throws Exception {
        engine = IrisEngine.builder().storage(store)
            .config(IrisConfig.of(Map.of("server.host", "127.0.0.1", "server.port", "0", "auth.jwt.secret", SECRET)))
            .start();
        for (int i = 1; i <= 3; i++) {
            assertThat(engine.send("alice", "bob", i, new byte[]{(byte) i}).get(10, TimeUnit.SECONDS).status())
                .isEqualTo(SendStatus.STORED);
        }
        final Seen phone = new Seen();
        try (IrisClient bobPhone = connect("bob", "phone", phone)) {
            assertThat(phone.logins.poll(10, TimeUnit.SECONDS)).containsExactly(0L, 3L);
            for (long seq = 1; seq <= 3; seq++) {
                assertThat(phone.seqs.poll(10, TimeUnit.SECONDS)).isEqualTo(seq);
            }
            Await.until(() -> store.size("bob") == 0, "the phone's acks to trim 1..3");
        }

        final Seen tablet = new Seen();
        try (IrisClient bobTablet = connect("bob", "tablet", tablet)) {
            assertThat(tablet.logins.poll(10, TimeUnit.SECONDS)).as("cursor, lastSeq of the new device")
                .containsExactly(3L, 3L);
            assertThat(engine.send("alice", "bob", 4, new byte[]{4}).get(10, TimeUnit.SECONDS).seq()).isEqualTo(4);
            assertThat(tablet.seqs.poll(10, TimeUnit.SECONDS)).as("the first DELIVER follows the cursor").isEqualTo(4L);
        }
    }
}
