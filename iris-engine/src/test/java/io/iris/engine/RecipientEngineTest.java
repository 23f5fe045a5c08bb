package io.iris.engine;

import io.iris.api.IrisConfig;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import io.iris.engine.auth.JwtMinter;
import io.iris.storage.memory.MemoryInboxStore;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Recipients (issue 11): one user-id rule for SEND, the embedding API and LOGIN, answered INVALID_RECIPIENT;
 * the embedder's {@link io.iris.api.RecipientValidator}; and the bound on the per-recipient state a shard keeps.
 */
class RecipientEngineTest {
    private static final String SECRET = "recipient-test-secret-0123456789abcdefgh";
    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private IrisEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private IrisEngine start(final IrisEngine.Builder builder, final Map<String, String> extra) {
        final Map<String, String> config = new HashMap<>(Map.of("server.host", "127.0.0.1", "server.port", "0",
            "auth.jwt.secret", SECRET));
        config.putAll(extra);
        engine = builder.config(IrisConfig.of(config)).start();
        return engine;
    }

    /**
     * On the wire: every well-framed recipient that breaks the user-id rule is answered INVALID_RECIPIENT, a
     * presence query for one is answered "offline, never seen", and the connection stays usable.
     */
    @Test
    void aSendToAnInvalidRecipientIsAnsweredInvalidRecipientAndTheConnectionStaysOpen() throws Exception {
        final MemoryInboxStore store = new MemoryInboxStore();
        start(IrisEngine.builder().storage(store), Map.of());
        // well framed (1-64 bytes of UTF-8), but no token can carry them as a subject
        final byte[][] invalid = {utf8("a\u0000b"), utf8("line\nbreak"), utf8("del\u007f"), utf8("c1\u0085")};
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", engine.port()), 10_000);
            final OutputStream out = s.getOutputStream();
            final DataInputStream in = new DataInputStream(s.getInputStream());
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
            int n = FrameEncoder.login(frame, 0, Protocol.VERSION, Protocol.VERSION,
                utf8(minter.mint("alice", Duration.ofHours(1))), utf8("d1"), -1);
            out.write(frame.byteArray(), 0, n);
            assertThat(read(in).type()).isEqualTo(Protocol.LOGIN_OK);
            for (int i = 0; i < invalid.length; i++) {
                n = FrameEncoder.send(frame, 0, 100 + i, invalid[i], new byte[] {1}, 0, 1);
                out.write(frame.byteArray(), 0, n);
                final FrameDecoder ack = read(in);
                assertThat(ack.type()).as("answer %d: %s", i, Protocol.typeName(ack.type())).isEqualTo(Protocol.SEND_ACK);
                assertThat(ack.clientMsgId()).isEqualTo(100 + i);
                assertThat(SendStatus.fromCode(ack.code())).as("recipient %d", i).isEqualTo(SendStatus.INVALID_RECIPIENT);
                assertThat(ack.seq()).isZero();
            }
            n = FrameEncoder.presenceQuery(frame, 0, utf8("a\u0000b"));
            out.write(frame.byteArray(), 0, n);
            final FrameDecoder presence = read(in);
            assertThat(presence.type()).isEqualTo(Protocol.PRESENCE);
            assertThat(presence.online()).isFalse();
            assertThat(presence.time()).as("never seen").isZero();
            n = FrameEncoder.send(frame, 0, 200, utf8("bob"), new byte[] {1}, 0, 1);
            out.write(frame.byteArray(), 0, n);
            final FrameDecoder ok = read(in);
            assertThat(SendStatus.fromCode(ok.code())).isEqualTo(SendStatus.STORED);
            assertThat(ok.seq()).isEqualTo(1);
        }
        assertThat(store.lastSeq("a\u0000b")).as("nothing stored for the invalid id").isZero();
    }

    @Test
    void theEmbeddingApiUsesTheSameRule() throws Exception {
        final MemoryInboxStore store = new MemoryInboxStore();
        start(IrisEngine.builder().storage(store), Map.of());
        final SendReceipt r = engine.send("alice", "a\u0000b", 1, new byte[] {1}).get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(SendStatus.INVALID_RECIPIENT);
        assertThat(store.lastSeq("a\u0000b")).isZero();
        assertThatThrownBy(() -> engine.send("a\tb", "bob", 1, new byte[] {1}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("senderId").hasMessageContaining("control");
        assertThatThrownBy(() -> engine.presence("a\u0000b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(engine.send("alice", "bob", 1, new byte[] {1}).get(10, TimeUnit.SECONDS).status())
            .isEqualTo(SendStatus.STORED);
    }

    @Test
    void aRecipientValidatorRefusesUnknownRecipientsWithoutStoringOrCachingThem() throws Exception {
        final MemoryInboxStore store = new MemoryInboxStore();
        final Set<String> known = Set.of("alice", "bob");
        start(IrisEngine.builder().storage(store).recipientValidator(known::contains), Map.of());
        assertThat(engine.send("alice", "bob", 1, new byte[] {1}).get(10, TimeUnit.SECONDS).status())
            .isEqualTo(SendStatus.STORED);
        final long cachedBefore = cachedUsers();
        final List<CompletableFuture<SendReceipt>> answers = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            answers.add(engine.send("alice", "ghost-" + i, i, new byte[] {1}));
        }
        for (final CompletableFuture<SendReceipt> a : answers) {
            assertThat(a.get(10, TimeUnit.SECONDS).status()).isEqualTo(SendStatus.INVALID_RECIPIENT);
        }
        assertThat(store.lastSeq("ghost-7")).isZero();
        assertThat(cachedUsers()).as("no user entry for a refused recipient").isEqualTo(cachedBefore);

        final RecipientValidatorThatThrows failing = new RecipientValidatorThatThrows();
        engine.close();
        start(IrisEngine.builder().storage(new MemoryInboxStore()).recipientValidator(failing), Map.of());
        assertThat(engine.send("alice", "bob", 1, new byte[] {1}).get(10, TimeUnit.SECONDS).status())
            .as("a validator that throws refuses").isEqualTo(SendStatus.INVALID_RECIPIENT);
    }

    /** 100,000 distinct recipients cost each shard at most {@code engine.userCacheSize} cached users. */
    @Test
    void perRecipientStateIsBoundedByConfiguration() throws Exception {
        start(IrisEngine.builder().storage(new CountingStore()), Map.of("engine.userCacheSize", "1000",
            "engine.shards", "2", "limits.rate.perSecond", "1000000000"));
        long maxSeen = 0;
        for (int batch = 0; batch < 100; batch++) {
            final List<CompletableFuture<SendReceipt>> answers = new ArrayList<>(1000);
            for (int i = 0; i < 1000; i++) {
                answers.add(engine.send("alice", "r" + (batch * 1000 + i), 1, new byte[] {1}));
            }
            for (final CompletableFuture<SendReceipt> a : answers) {
                final SendStatus status = a.get(30, TimeUnit.SECONDS).status();
                assertThat(status).isIn(SendStatus.STORED, SendStatus.OVERLOADED);
            }
            maxSeen = Math.max(maxSeen, cachedUsers());
        }
        assertThat(maxSeen).as("2 shards x engine.userCacheSize 1000").isPositive().isLessThanOrEqualTo(2_000);
    }

    /** @return user ids the shards keep interned now: the sum of the per-shard gauges. */
    private long cachedUsers() {
        final long[] sum = {0};
        engine.counters().forEach((kind, name, labels, help, value) -> {
            if (name.equals("iris_shard_cached_users")) {
                sum[0] += value;
            }
        });
        return sum[0];
    }

    private static final class RecipientValidatorThatThrows implements io.iris.api.RecipientValidator {
        @Override
        public boolean exists(final String recipientId) {
            throw new IllegalStateException("directory down");
        }
    }

    /** Stores nothing: each append gets the next seq of one global counter; nothing is ever read back. */
    private static final class CountingStore implements InboxStore {
        private final AtomicLong seq = new AtomicLong();

        @Override
        public long append(final String userId, final String senderId, final long clientMsgId, final DirectBuffer record,
                           final int offset, final int length) {
            return seq.incrementAndGet();
        }

        @Override
        public void sync() {
        }

        @Override
        public int read(final String userId, final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
            return 0;
        }

        @Override
        public long lastSeq(final String userId) {
            return 0;
        }

        @Override
        public long cursor(final String userId, final String deviceId) {
            return 0;
        }

        @Override
        public void ack(final String userId, final String deviceId, final long upToSeq) {
        }

        @Override
        public void close() {
        }
    }

    private static FrameDecoder read(final DataInputStream in) throws IOException {
        final int length = in.readInt();
        assertThat(length).isBetween(1, 65_536);
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        final FrameDecoder d = new FrameDecoder();
        assertThat(d.wrap(new UnsafeBuffer(bytes), 0, length)).as("decodes: %s", d.error()).isTrue();
        return d;
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
