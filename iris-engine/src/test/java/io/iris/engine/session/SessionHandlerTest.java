package io.iris.engine.session;

import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.Principal;
import io.iris.api.counters.IrisCounters;
import io.iris.engine.auth.TokenRevocations;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.fakes.AdmitEverySend;
import io.iris.engine.fakes.FakeConnection;
import io.iris.engine.ingress.ShardIngress;
import io.iris.engine.placement.DeviceAddress;
import io.iris.engine.placement.SingleNodePlacement;
import io.iris.engine.ratelimit.LoginThrottle;
import io.iris.engine.ratelimit.UserRateLimits;
import io.iris.engine.routing.HashShard;
import io.iris.engine.routing.ReplyOrigin;
import io.iris.engine.routing.ShardCommand;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SessionHandler} driven directly on the test thread (standing in for one I/O thread) with fake
 * connections, over a real {@link ShardIngress} into a deliberately tiny shard queue, so that the full-queue
 * paths can be reached: nothing waits, commands wait in the thread's outbox, an outbox that is full too closes
 * the connection, and a LOGOUT is never lost.
 */
class SessionHandlerTest {
    private static final int JUNK = 99;
    private static final Authenticator TOKEN_IS_USER = (token, now) -> {
        if (token.startsWith("bad")) {
            throw new AuthenticationException(ErrorCode.AUTH_FAILED, "bad token");
        }
        return new Principal(token, Long.MAX_VALUE);
    };

    private final IrisCounters registry = new IrisCounters();
    private final RingBuffer queue = new ManyToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(1024 + RingBufferDescriptor.TRAILER_LENGTH)));
    private final SessionHandler handler = new SessionHandler(TOKEN_IS_USER,
        new ShardIngress(new SingleNodePlacement(new HashShard(1)), new RingBuffer[] {queue},
            AdmitEverySend.INSTANCE),
        new UserRateLimits(1_000_000, 1_000_000), new TokenRevocations(16, Duration.ofSeconds(30)),
        LoginThrottle.disabled(), Protocol.DEFAULT_MAX_PAYLOAD, 30_000, new EngineCounters(registry, 1), 1024);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[4096]);
    private final FakeConnection alice = new FakeConnection(1L << 8);
    private final long aliceAddress = DeviceAddress.of(SingleNodePlacement.NODE, alice.id());

    private void frame(final FakeConnection c, final int length) {
        handler.onFrame(c, frame, Protocol.LENGTH_FIELD, length - Protocol.LENGTH_FIELD);
    }

    private void login(final FakeConnection c, final String token) {
        handler.onOpen(c);
        frame(c, FrameEncoder.login(frame, 0, Protocol.VERSION, Protocol.VERSION,
            token.getBytes(StandardCharsets.US_ASCII), "d1".getBytes(StandardCharsets.UTF_8), -1));
    }

    private void deliverAck(final FakeConnection c, final long upTo) {
        frame(c, FrameEncoder.deliverAck(frame, 0, upTo));
    }

    private void send(final FakeConnection c, final long msgId, final String to) {
        frame(c, FrameEncoder.send(frame, 0, msgId, to.getBytes(StandardCharsets.UTF_8), new byte[] {1, 2}, 0, 2));
    }

    /** @return the commands in the shard queue, as {@code TYPE device-or-origin [detail]}, emptying it. */
    private List<String> drainQueue() {
        final List<String> commands = new ArrayList<>();
        queue.read((type, buffer, index, length) -> {
            switch (type) {
                case ShardCommand.LOGIN -> commands.add("LOGIN " + buffer.getLong(index + ShardCommand.DEVICE));
                case ShardCommand.LOGOUT -> commands.add("LOGOUT " + buffer.getLong(index + ShardCommand.DEVICE));
                case ShardCommand.DELIVER_ACK -> commands.add("ACK " + buffer.getLong(index + ShardCommand.DEVICE)
                    + " " + buffer.getLong(index + ShardCommand.ACK_UP_TO));
                case ShardCommand.SEND -> commands.add("SEND " + buffer.getByte(index + ShardCommand.SEND_ORIGIN_KIND)
                    + " " + buffer.getLong(index + ShardCommand.ORIGIN)
                    + " " + buffer.getLong(index + ShardCommand.SEND_CLIENT_MSG_ID));
                case JUNK -> { }
                default -> commands.add("type " + type);
            }
        }, Integer.MAX_VALUE);
        return commands;
    }

    private void fillQueue() {
        final UnsafeBuffer junk = new UnsafeBuffer(new byte[8]);
        while (queue.write(JUNK, junk, 0, junk.capacity())) {
            // fill every byte a command could use
        }
    }

    @Test
    void aLoginGoesToTheHomeShardWithTheDeviceAddressAndASendCarriesAClientOrigin() {
        login(alice, "alice");
        send(alice, 7, "bob");
        assertThat(drainQueue()).containsExactly("LOGIN " + aliceAddress,
            "SEND " + ReplyOrigin.CLIENT + " " + aliceAddress + " 7");
        assertThat(alice.isOpen()).isTrue();
    }

    @Test
    void refusalsAreAnsweredOnTheConnectionAndCounted() {
        login(alice, "alice");
        send(alice, 7, "bob\u0001"); // a control character: no user can have this id
        final FakeConnection mallory = new FakeConnection(2L << 8);
        login(mallory, "bad-token");
        assertThat(alice.take()).containsExactly("SEND_ACK 7 INVALID_RECIPIENT seq=0");
        assertThat(mallory.closedWith).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(registry.value("iris_sends_total", "status", "INVALID_RECIPIENT")).isEqualTo(1);
        assertThat(registry.value("iris_logins_refused_total", "code", "AUTH_FAILED")).isEqualTo(1);
    }

    @Test
    void aSendToAFullShardQueueIsAnsweredOverloadedAtOnce() {
        login(alice, "alice");
        fillQueue();
        send(alice, 7, "bob");
        assertThat(alice.take()).containsExactly("SEND_ACK 7 OVERLOADED seq=0 retry");
        assertThat(alice.isOpen()).isTrue();
        assertThat(registry.value("iris_sends_total", "status", "OVERLOADED")).isEqualTo(1);
    }

    @Test
    void aControlCommandThatFindsTheQueueFullWaitsInTheOutboxAndIsOfferedOnTheNextLoopIteration() {
        login(alice, "alice");
        drainQueue();
        fillQueue();
        deliverAck(alice, 5); // returns at once: nothing spins on the I/O thread
        deliverAck(alice, 6);
        assertThat(alice.isOpen()).isTrue();
        assertThat(handler.onLoopIteration()).as("still pending while the queue is full").isTrue();

        assertThat(drainQueue()).isEmpty(); // the shard consumed the junk
        assertThat(handler.onLoopIteration()).isFalse();
        assertThat(drainQueue()).containsExactly("ACK " + aliceAddress + " 5", "ACK " + aliceAddress + " 6");
    }

    @Test
    void whenTheOutboxIsFullTooTheConnectionIsClosedButItsLogoutIsNeverLost() {
        login(alice, "alice");
        drainQueue();
        fillQueue();
        for (int i = 1; i <= 100 && alice.isOpen(); i++) {
            deliverAck(alice, i);
        }
        assertThat(alice.closedWith).as("the 1 KB outbox overflowed").isEqualTo(ErrorCode.INTERNAL);
        assertThat(registry.value("iris_ingress_overflow_closes_total")).isEqualTo(1);
        handler.onClose(alice); // the transport reports the close: the LOGOUT is kept beyond the bound

        assertThat(drainQueue()).isEmpty();
        while (handler.onLoopIteration()) {
            final List<String> commands = drainQueue();
            assertThat(commands).isNotEmpty();
            if (commands.get(commands.size() - 1).startsWith("LOGOUT")) {
                assertThat(commands.get(commands.size() - 1)).isEqualTo("LOGOUT " + aliceAddress);
                return;
            }
        }
        assertThat(drainQueue()).last().isEqualTo("LOGOUT " + aliceAddress);
    }

    @Test
    void aLoginWaitingInTheOutboxIsNeverOvertakenByItsLogout() {
        fillQueue();
        login(alice, "alice");
        handler.onClose(alice);
        assertThat(drainQueue()).isEmpty();
        assertThat(handler.onLoopIteration()).isFalse();
        assertThat(drainQueue()).containsExactly("LOGIN " + aliceAddress, "LOGOUT " + aliceAddress);
    }

    @Test
    void aPingIsAnsweredOnTheConnection() {
        handler.onOpen(alice);
        frame(alice, FrameEncoder.ping(frame, 0, 42));
        assertThat(alice.take()).containsExactly("PONG");
    }
}
