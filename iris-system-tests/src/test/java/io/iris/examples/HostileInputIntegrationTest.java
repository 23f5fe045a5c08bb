package io.iris.examples;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.client.IrisClient;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input against the reference server in a child JVM: for a bounded time, many raw connections
 * send random bytes, mutated, truncated and extended frames (before and after a real login), huge,
 * zero and just-over-the-limit lengths, unknown frame types, frames of the wrong phase; others drip a
 * LOGIN one byte per second (slowloris), never log in (silent, or only PINGing), or open and close in
 * floods. Meanwhile a well-behaved pair exchanges messages in both directions.
 *
 * <p>Asserted: every offender connection is closed by the server, with exactly one ERROR frame, last,
 * whose code is the one {@link WireOracle} predicts from the bytes sent (per-IP refusals
 * TOO_MANY_CONNECTIONS 15 and LOGIN_THROTTLED 16 are accepted too); slowloris and never-login
 * connections by LOGIN_TIMEOUT, PINGs not pushing that deadline back; the pair gets every send STORED
 * and every message exactly once and in order, and is never disconnected; the server stays up, lets a
 * fresh client log in at the end, returns to its file-descriptor baseline (no leaked sockets) and prints
 * no stack trace or "loop error".
 *
 * <p>Seeded: the seed is printed; {@code -Diris.fuzz.seed=N} replays the same offender sequence and
 * {@code -Diris.fuzz.seconds=S} lengthens the attack phase (default {@value #DEFAULT_SECONDS} s).
 * Offenders connect from 127.0.0.2 to 127.0.0.33, the pair from 127.0.0.1, so per-IP limits fall on
 * offenders only.
 */
class HostileInputIntegrationTest {
    static final int DEFAULT_SECONDS = 45;
    private static final int LOGIN_TIMEOUT_MILLIS = 2_000;
    private static final int HEARTBEAT_MILLIS = 2_000; // idle timeout 6 s
    private static final int MAX_PAYLOAD = Protocol.DEFAULT_MAX_PAYLOAD;
    private static final int WORKERS = 10;
    private static final int OFFENDER_ADDRESSES = 32;
    /** How long an offender waits for the server to close it, after its last byte (generous: loaded box). */
    private static final long CLOSE_WAIT_MILLIS = 30_000;
    private static final int PING_INTERVAL_MILLIS = 500;
    /** PINGs a never-login connection sends at most: 5 login timeouts' worth; it must be closed before. */
    private static final int MAX_PINGS = 5 * LOGIN_TIMEOUT_MILLIS / PING_INTERVAL_MILLIS;
    /** Bytes a slowloris drips at most (one a second); it must be closed long before. */
    private static final int MAX_DRIP = 30;
    private static final int FLOOD_SIZE = 6;
    /** Offender connections (or floods) started per second, over all workers. */
    private static final int ATTACKS_PER_SECOND = 6;
    /** Extra codes an offender may get once per-IP limits exist: TOO_MANY_CONNECTIONS, LOGIN_THROTTLED. */
    private static final List<Integer> PER_IP_REFUSALS = List.of(15, 16);

    enum Kind {
        RANDOM_BYTES, MUTATED_FRAMES, LOGIN_THEN_MUTATED, MUTATED_AFTER_LOGIN, HUGE_LENGTH, HUGE_LENGTH_AFTER_LOGIN,
        ZERO_LENGTH, UNKNOWN_TYPE, WRONG_PHASE, LOGIN_TWICE, SLOWLORIS, NEVER_LOGIN, PING_ONLY, FLOOD
    }

    enum Mode { BURST, DRIP, SILENT, PINGS, FLOOD }

    /** One offender connection: who it is, what it sends and how, and the predicted end. */
    record Attack(int index, Kind kind, Mode mode, String address, String user, byte[] token, boolean handshake,
                  byte[] bytes, int head, WireOracle.Expectation expected, String description) {
        @Override
        public String toString() {
            return "#" + index + " " + kind + " from " + address + " (" + description + "; expect " + expected + ")";
        }
    }

    private final List<String> failures = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> results = new ConcurrentLinkedQueue<>();
    private final Map<Kind, AtomicInteger> perKind = new EnumMap<>(Kind.class);
    private final Map<String, AtomicInteger> perCode = new TreeMap<>();
    private final AtomicInteger sockets = new AtomicInteger();

    private synchronized void fail(final String what) {
        if (failures.size() < 50) {
            failures.add(what);
        }
    }

    private synchronized void count(final Kind kind, final String code) {
        perKind.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        perCode.computeIfAbsent(code, k -> new AtomicInteger()).incrementAndGet();
    }

    @Test
    void offendersAreClosedWithTheRightErrorWhileAWellBehavedPairLosesNothing() throws Exception {
        final long seed = Long.getLong("iris.fuzz.seed", new Random().nextLong());
        final int seconds = Math.max(5, Integer.getInteger("iris.fuzz.seconds", DEFAULT_SECONDS)); // 5 s: every kind
        System.out.println("HostileInputIntegrationTest: seed " + seed + " (replay with -Diris.fuzz.seed=" + seed
            + "), attack phase " + seconds + " s (-Diris.fuzz.seconds=)");
        try (ServerProcess server = ServerProcess.start(Map.of(
            "storage", "memory",
            "session.loginTimeoutMillis", Integer.toString(LOGIN_TIMEOUT_MILLIS),
            "session.heartbeatMillis", Integer.toString(HEARTBEAT_MILLIS),
            "limits.maxPayload", Integer.toString(MAX_PAYLOAD),
            "limits.rate.perSecond", "1000000", "limits.rate.burst", "1000000"))) {
            final Generator generator = new Generator(seed, server);
            final AtomicBoolean stopPair = new AtomicBoolean();
            try (TestClient alice = TestClient.of(server, "alice", "phone").connect();
                 TestClient bob = TestClient.of(server, "bob", "phone").connect()) {
                final long fdBaseline = openFiles(server);
                final PairLoop aliceToBob = new PairLoop(alice, "bob", stopPair);
                final PairLoop bobToAlice = new PairLoop(bob, "alice", stopPair);
                aliceToBob.start();
                bobToAlice.start();

                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                final List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    final Thread t = new Thread(() -> {
                        while (System.nanoTime() < deadline) {
                            final Attack a = generator.next();
                            if (!generator.awaitTurn(deadline)) {
                                break;
                            }
                            try {
                                run(a, server.port());
                            } catch (final Throwable e) {
                                fail(a + ": " + e);
                            }
                        }
                    }, "offender-" + w);
                    t.setDaemon(true);
                    workers.add(t);
                    t.start();
                }
                final Thread watchdog = new Thread(() -> {
                    while (workers.stream().anyMatch(Thread::isAlive)) {
                        if (!server.isAlive()) {
                            fail("the server process died during the attack");
                            return;
                        }
                        sleep(200);
                    }
                }, "server-watchdog");
                watchdog.setDaemon(true);
                watchdog.start();
                // each worker finishes its current offender: at most ~CLOSE_WAIT_MILLIS + MAX_PINGS pings more
                for (final Thread t : workers) {
                    t.join(TimeUnit.SECONDS.toMillis(seconds) + CLOSE_WAIT_MILLIS * 3);
                    if (t.isAlive()) {
                        fail(t.getName() + " still running long after the attack phase");
                    }
                }
                watchdog.join(5_000);
                stopPair.set(true);
                aliceToBob.join(60_000);
                bobToAlice.join(60_000);
                assertThat(server.isAlive()).as("server alive after the attack").isTrue();

                // the pair: every send STORED, every message exactly once and in order, never disconnected
                aliceToBob.check(bob, "alice");
                bobToAlice.check(alice, "bob");
                assertThat(alice.events).as("alice's connection events").noneMatch(e -> e.startsWith("disconnected"));
                assertThat(bob.events).as("bob's connection events").noneMatch(e -> e.startsWith("disconnected"));

                // a fresh client can still log in and exchange a message with the pair
                try (TestClient carol = TestClient.of(server, "carol", "laptop").connect()) {
                    assertThat(carol.send("alice", "hello after the storm").status()).isEqualTo(SendStatus.STORED);
                }
                System.out.println("HostileInputIntegrationTest: " + sockets.get() + " offender sockets; per kind "
                    + perKind + "; outcomes " + perCode + "; pair " + aliceToBob.sent + " + " + bobToAlice.sent
                    + " messages");
                synchronized (this) {
                    assertThat(failures).as("offender failures (seed %d)", seed).isEmpty();
                }
                assertThat(perKind.keySet()).as("every kind of offender ran").containsAll(Arrays.asList(Kind.values()));
                assertNoLeakedFiles(server, fdBaseline);
            } finally {
                stopPair.set(true);
            }
            assertThat(server.isAlive()).isTrue();
            assertThat(server.problemLines()).as("stack traces or loop errors in the server's output").isEmpty();
        }
    }

    // ---- the well-behaved pair ---------------------------------------------------------------------

    /** Sends numbered messages one after the other until told to stop, checking every receipt. */
    private final class PairLoop extends Thread {
        private final TestClient from;
        private final String to;
        private final AtomicBoolean stop;
        volatile int sent;

        PairLoop(final TestClient from, final String to, final AtomicBoolean stop) {
            super("pair-" + to);
            setDaemon(true);
            this.from = from;
            this.to = to;
            this.stop = stop;
        }

        @Override
        public void run() {
            try {
                for (int i = 0; !stop.get() && i < 1_000_000; i++) {
                    final SendReceipt r = from.send(to, Integer.toString(i));
                    if (r.status() != SendStatus.STORED) {
                        fail("pair send " + i + " to " + to + " answered " + r.status());
                        return;
                    }
                    sent = i + 1;
                    sleep(2);
                }
            } catch (final Exception e) {
                fail("pair send to " + to + " failed: " + e);
            }
        }

        /** The recipient got exactly 0..sent-1 from the sender, in order. */
        void check(final TestClient recipient, final String sender) throws InterruptedException {
            assertThat(sent).as("messages %s sent", sender).isPositive();
            final List<Integer> got = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (got.size() < sent && System.nanoTime() < deadline) {
                final IrisClient.Delivery d = recipient.received.poll(1, TimeUnit.SECONDS);
                if (d != null && d.sender().equals(sender)) {
                    got.add(Integer.parseInt(new String(d.payload(), StandardCharsets.UTF_8)));
                }
            }
            final List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < sent; i++) {
                expected.add(i);
            }
            assertThat(got).as("messages from %s, exactly once and in order", sender).isEqualTo(expected);
            final IrisClient.Delivery extra = recipient.received.poll(200, TimeUnit.MILLISECONDS);
            assertThat(extra == null || !extra.sender().equals(sender)).as("no message from %s beyond %d", sender, sent)
                .isTrue();
        }
    }

    // ---- running one offender ----------------------------------------------------------------------

    private void run(final Attack a, final int port) throws IOException {
        if (a.mode == Mode.FLOOD) {
            flood(a, port);
            return;
        }
        final Received rx = new Received();
        int pings = 0;
        int dripped = 0;
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(a.address, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            sockets.incrementAndGet();
            s.setTcpNoDelay(true);
            final InputStream in = s.getInputStream();
            final OutputStream out = s.getOutputStream();
            boolean proceed = true;
            if (a.handshake) {
                out.write(loginFrame(a.token, "d" + a.index, -1));
                proceed = rx.readUntil(s, in, Protocol.LOGIN_OK, CLOSE_WAIT_MILLIS);
                if (!proceed && rx.errorCode() < 0 && !rx.closed) {
                    fail(a + ": no LOGIN_OK within " + CLOSE_WAIT_MILLIS + " ms");
                    return;
                }
            }
            if (proceed) {
                switch (a.mode) {
                    case BURST:
                        writeQuietly(out, a.bytes, rx);
                        break;
                    case DRIP:
                        writeQuietly(out, Arrays.copyOf(a.bytes, a.head), rx);
                        for (int i = a.head; i < a.bytes.length && i < a.head + MAX_DRIP && !rx.ended(); i++) {
                            writeQuietly(out, Arrays.copyOfRange(a.bytes, i, i + 1), rx);
                            dripped++;
                            rx.readDuring(s, in, 1_000); // the pause between bytes
                        }
                        break;
                    case PINGS:
                        for (; pings < MAX_PINGS && !rx.ended(); pings++) {
                            writeQuietly(out, pingFrame(pings), rx);
                            rx.readDuring(s, in, PING_INTERVAL_MILLIS); // the PONG, and the pause
                        }
                        break;
                    default:
                        break; // SILENT
                }
            }
            rx.readToEnd(s, in, CLOSE_WAIT_MILLIS);
        }
        judge(a, rx, pings, dripped);
    }

    private void judge(final Attack a, final Received rx, final int pings, final int dripped) {
        final List<int[]> frames;
        try {
            frames = rx.frames();
        } catch (final IllegalStateException e) {
            fail(a + ": " + e.getMessage());
            return;
        }
        if (!rx.closed) {
            fail(a + ": not closed by the server within " + CLOSE_WAIT_MILLIS + " ms of its last byte");
            return;
        }
        int errors = 0;
        for (final int[] f : frames) {
            if (f[0] == Protocol.ERROR) {
                errors++;
            }
        }
        if (errors == 0) {
            fail(a + ": closed (" + (rx.reset ? "reset" : "EOF") + ") without an ERROR frame after "
                + frames.size() + " frames" + (rx.writeFailed ? " (a write failed)" : ""));
            return;
        }
        final int[] last = frames.get(frames.size() - 1);
        if (errors > 1 || last[0] != Protocol.ERROR) {
            fail(a + ": " + errors + " ERROR frames, last frame " + Protocol.typeName(last[0]));
            return;
        }
        final int code = last[1];
        final ErrorCode named = ErrorCode.fromCode(code);
        count(a.kind, named == null ? Integer.toString(code) : named.name());
        if (code != a.expected.code().code() && !PER_IP_REFUSALS.contains(code)) {
            fail(a + ": closed with " + (named == null ? code : named));
            return;
        }
        if (a.mode == Mode.PINGS && code == ErrorCode.LOGIN_TIMEOUT.code() && pings >= MAX_PINGS) {
            fail(a + ": still open after " + pings + " PINGs over " + MAX_PINGS * PING_INTERVAL_MILLIS
                + " ms: PINGs pushed the login deadline back");
        }
        if (a.mode == Mode.DRIP && code == ErrorCode.LOGIN_TIMEOUT.code() && dripped >= MAX_DRIP) {
            fail(a + ": still open after dripping " + dripped + " bytes over " + dripped + " s");
        }
    }

    private void flood(final Attack a, final int port) throws IOException {
        final Random r = new Random(a.index);
        final List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < FLOOD_SIZE; i++) {
                final Socket s = new Socket();
                open.add(s);
                s.bind(new InetSocketAddress(a.address, 0));
                s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                sockets.incrementAndGet();
            }
            for (final Socket s : open) {
                switch (r.nextInt(4)) {
                    case 0:
                        s.setSoLinger(true, 0); // close with RST
                        break;
                    case 1:
                        s.getOutputStream().write(new byte[] {0, 0}); // half a length prefix
                        break;
                    case 2:
                        s.getOutputStream().write(Arrays.copyOf(a.bytes, Math.min(a.bytes.length, 1 + r.nextInt(64))));
                        break;
                    default:
                        break; // plain FIN
                }
                s.close();
            }
        } finally {
            for (final Socket s : open) {
                s.close();
            }
        }
        count(a.kind, "flooded");
    }

    private static void writeQuietly(final OutputStream out, final byte[] bytes, final Received rx) {
        try {
            out.write(bytes);
        } catch (final IOException e) {
            rx.writeFailed = true; // the server closed first; what it sent before is still judged
        }
    }

    /** Everything the server sent on one connection, and how it ended. */
    private static final class Received {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final byte[] chunk = new byte[8192];
        boolean closed;
        boolean reset;
        boolean writeFailed;

        boolean ended() {
            return closed || errorCode() >= 0;
        }

        /** One read of at most {@code millis}. */
        void readFor(final Socket s, final InputStream in, final int millis) throws IOException {
            if (closed) {
                return;
            }
            s.setSoTimeout(millis);
            try {
                final int n = in.read(chunk);
                if (n < 0) {
                    closed = true;
                } else if (bytes.size() < 4 << 20) {
                    bytes.write(chunk, 0, n);
                }
            } catch (final SocketTimeoutException e) {
                // nothing within millis
            } catch (final SocketException e) {
                closed = true;
                reset = true;
            }
        }

        /** Reads for {@code millis} in all, or until the connection ends. */
        void readDuring(final Socket s, final InputStream in, final long millis) throws IOException {
            final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            long left;
            while (!ended() && (left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())) > 0) {
                readFor(s, in, (int) left);
            }
        }

        /** @return true once a frame of {@code type} arrived; false at EOF, ERROR or the deadline. */
        boolean readUntil(final Socket s, final InputStream in, final byte type, final long millis) throws IOException {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (!closed && System.nanoTime() < deadline) {
                readFor(s, in, 500);
                for (final int[] f : frames()) {
                    if (f[0] == type) {
                        return true;
                    }
                }
                if (errorCode() >= 0) {
                    return false;
                }
            }
            return false;
        }

        void readToEnd(final Socket s, final InputStream in, final long millis) throws IOException {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (!closed && System.nanoTime() < deadline) {
                readFor(s, in, 1_000);
            }
        }

        /** @return the ERROR code received, or -1. */
        int errorCode() {
            for (final int[] f : frames()) {
                if (f[0] == Protocol.ERROR) {
                    return f[1];
                }
            }
            return -1;
        }

        /** @return {type, code} of every complete frame received; throws if the server sent a malformed one. */
        List<int[]> frames() {
            final byte[] b = bytes.toByteArray();
            final UnsafeBuffer view = new UnsafeBuffer(b);
            // read as a version-2 client: a LOGIN whose range reaches 2 may be refused with a version-2 ERROR
            final FrameDecoder d = new FrameDecoder().version(Protocol.VERSION);
            final List<int[]> out = new ArrayList<>();
            int pos = 0;
            while (b.length - pos >= 4) {
                final int length = view.getInt(pos, ByteOrder.BIG_ENDIAN);
                if (length < 1 || length > (1 << 20)) {
                    throw new IllegalStateException("the server sent a frame length of " + length);
                }
                if (b.length - pos - 4 < length) {
                    break;
                }
                if (!d.wrap(view, pos + 4, length)) {
                    throw new IllegalStateException("the server sent a malformed frame: " + d.error());
                }
                out.add(new int[] {d.type(), d.type() == Protocol.ERROR ? d.code() : -1});
                pos += 4 + length;
            }
            if (closed && pos != b.length) {
                throw new IllegalStateException("the server closed in the middle of a frame");
            }
            return out;
        }
    }

    // ---- generating offenders ------------------------------------------------------------------------

    /** The seeded sequence of offenders: every kind once, in order, then a random mix. */
    private static final class Generator {
        private final Random r;
        private final ServerProcess server;
        private int index;
        private long nextStartNanos;

        Generator(final long seed, final ServerProcess server) {
            this.r = new Random(seed);
            this.server = server;
        }

        /**
         * Paces offender starts at {@value #ATTACKS_PER_SECOND} per second over all workers, so the number of
         * sockets grows with the attack phase, not with the speed of the box.
         *
         * @return false if the turn comes after {@code deadline} (nanoTime).
         */
        boolean awaitTurn(final long deadline) {
            final long at;
            synchronized (this) {
                at = Math.max(System.nanoTime(), nextStartNanos);
                nextStartNanos = at + TimeUnit.SECONDS.toNanos(1) / ATTACKS_PER_SECOND;
            }
            if (at >= deadline) {
                return false;
            }
            sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(at - System.nanoTime())));
            return true;
        }

        synchronized Attack next() {
            final int i = index++;
            final Kind[] kinds = Kind.values();
            final Kind kind = i < kinds.length ? kinds[i] : kinds[r.nextInt(kinds.length)];
            final String address = "127.0.0." + (2 + i % OFFENDER_ADDRESSES);
            final String user = "mallory" + i;
            final byte[] token = server.token(user).getBytes(StandardCharsets.US_ASCII);
            switch (kind) {
                case RANDOM_BYTES: {
                    final byte[] junk = randomBytes(1 + r.nextInt(4096));
                    if (r.nextBoolean()) {
                        junk[0] = 0; // a small declared length: garbage that parses as frames
                        if (junk.length > 1 && r.nextBoolean()) {
                            junk[1] = 0;
                        }
                    }
                    return attack(i, kind, Mode.BURST, address, user, token, false, junk, junk.length + " random bytes");
                }
                case MUTATED_FRAMES: {
                    final ByteArrayOutputStream s = new ByteArrayOutputStream();
                    final StringBuilder how = new StringBuilder();
                    for (int k = 1 + r.nextInt(3); k > 0; k--) {
                        s.writeBytes(mutate(anyFrame(token), how));
                    }
                    return attack(i, kind, Mode.BURST, address, user, token, false, s.toByteArray(), how.toString());
                }
                case LOGIN_THEN_MUTATED:
                case MUTATED_AFTER_LOGIN: {
                    final boolean handshake = kind == Kind.MUTATED_AFTER_LOGIN;
                    final ByteArrayOutputStream s = new ByteArrayOutputStream();
                    final StringBuilder how = new StringBuilder(handshake ? "" : "LOGIN + ");
                    if (!handshake) {
                        // a real LOGIN claiming any resume cursor, up to seq 2^63-1 it never received
                        final long[] cursors = {-1, 0, 1 + r.nextInt(1000), Long.MAX_VALUE, Math.abs(r.nextLong())};
                        final long cursor = cursors[r.nextInt(cursors.length)];
                        s.writeBytes(loginFrame(token, "d" + i, cursor));
                        how.append("(cursor ").append(cursor).append(") ");
                    }
                    for (int k = 1 + r.nextInt(3); k > 0; k--) {
                        s.writeBytes(mutate(anyFrame(token), how));
                    }
                    return attack(i, kind, Mode.BURST, address, user, token, handshake, s.toByteArray(), how.toString());
                }
                case HUGE_LENGTH:
                case HUGE_LENGTH_AFTER_LOGIN: {
                    final boolean handshake = kind == Kind.HUGE_LENGTH_AFTER_LOGIN;
                    final int limit = handshake ? Protocol.maxFrameAfterLogin(MAX_PAYLOAD) : Protocol.MAX_FRAME_BEFORE_LOGIN;
                    final int[] lengths = {0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, limit + 1, limit + 2, limit * 2,
                        1 << 24, limit};
                    final int length = lengths[r.nextInt(lengths.length)];
                    final byte[] body = randomBytes(r.nextInt(64));
                    final byte[] b = new byte[4 + body.length];
                    new UnsafeBuffer(b).putInt(0, length, ByteOrder.BIG_ENDIAN);
                    System.arraycopy(body, 0, b, 4, body.length);
                    return attack(i, kind, Mode.BURST, address, user, token, handshake, b,
                        "declared length " + Integer.toUnsignedString(length) + " + " + body.length + " bytes");
                }
                case ZERO_LENGTH: {
                    final byte[] b = r.nextBoolean() ? new byte[4] : concat(new byte[4], randomBytes(1 + r.nextInt(32)));
                    return attack(i, kind, Mode.BURST, address, user, token, r.nextBoolean(), b, "zero length");
                }
                case UNKNOWN_TYPE: {
                    final int type = r.nextBoolean() ? 0 : Protocol.MAX_TYPE + 1 + r.nextInt(255 - Protocol.MAX_TYPE);
                    final byte[] body = randomBytes(r.nextInt(32));
                    final byte[] b = new byte[5 + body.length];
                    new UnsafeBuffer(b).putInt(0, 1 + body.length, ByteOrder.BIG_ENDIAN);
                    b[4] = (byte) type;
                    System.arraycopy(body, 0, b, 5, body.length);
                    return attack(i, kind, Mode.BURST, address, user, token, r.nextBoolean(), b, "type " + type);
                }
                case WRONG_PHASE: {
                    // a frame other than LOGIN/PING before login, or a server-to-client frame after it
                    final boolean handshake = r.nextBoolean();
                    final byte[] frame = handshake ? serverFrame() : notLogin(token);
                    return attack(i, kind, Mode.BURST, address, user, token, handshake, frame,
                        Protocol.typeName(frame[4]) + (handshake ? " after login" : " before login"));
                }
                case LOGIN_TWICE: {
                    final boolean handshake = r.nextBoolean();
                    final byte[] b = handshake ? loginFrame(token, "d" + i, -1)
                        : concat(loginFrame(token, "d" + i, -1), loginFrame(token, "e" + i, -1));
                    return attack(i, kind, Mode.BURST, address, user, token, handshake, b,
                        handshake ? "LOGIN after LOGIN_OK" : "two LOGINs in one write");
                }
                case SLOWLORIS: {
                    // a real LOGIN, one byte per second (sometimes after a first burst: a partial frame held)
                    final byte[] login = loginFrame(token, "d" + i, -1);
                    final int head = r.nextBoolean() ? 0 : 1 + r.nextInt(login.length - 2 * MAX_DRIP); // 60+ bytes left
                    return new Attack(i, kind, Mode.DRIP, address, user, token, false, login, head,
                        WireOracle.expect(Arrays.copyOf(login, head + MAX_DRIP), false, token, MAX_PAYLOAD),
                        "slowloris after " + head + " bytes at once");
                }
                case NEVER_LOGIN:
                    return attack(i, kind, Mode.SILENT, address, user, token, false, new byte[0], "silent");
                case PING_ONLY:
                    return attack(i, kind, Mode.PINGS, address, user, token, false, new byte[0], "PINGs, never LOGIN");
                default:
                    return new Attack(i, kind, Mode.FLOOD, address, user, token, false, anyFrame(token), 0,
                        new WireOracle.Expectation(ErrorCode.LOGIN_TIMEOUT, "unused"), FLOOD_SIZE + " connections");
            }
        }

        private Attack attack(final int i, final Kind kind, final Mode mode, final String address, final String user,
                              final byte[] token, final boolean handshake, final byte[] bytes, final String how) {
            return new Attack(i, kind, mode, address, user, token, handshake, bytes, 0,
                WireOracle.expect(bytes, handshake, token, MAX_PAYLOAD), how);
        }

        private byte[] randomBytes(final int n) {
            final byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }

        private String id() {
            return "sink" + r.nextInt(10);
        }

        /** A valid frame of any of the 12 types (the LOGIN with the real token half the time). */
        private byte[] anyFrame(final byte[] token) {
            final int t = 1 + r.nextInt(Protocol.MAX_TYPE);
            if (t == Protocol.LOGIN) {
                return loginFrame(r.nextBoolean() ? token : randomBytes(1 + r.nextInt(300)), "x" + r.nextInt(9),
                    r.nextInt(3) - 1);
            }
            return (t == Protocol.LOGIN_OK || t == Protocol.SEND_ACK || t == Protocol.DELIVER || t == Protocol.PRESENCE
                || t == Protocol.ERROR || t == Protocol.GOAWAY) ? serverFrame((byte) t) : clientFrame((byte) t);
        }

        private byte[] notLogin(final byte[] token) {
            byte[] f;
            do {
                f = anyFrame(token);
            } while (f[4] == Protocol.LOGIN || f[4] == Protocol.PING || f[4] == Protocol.PONG);
            return f;
        }

        private byte[] serverFrame() {
            final byte[] types = {Protocol.LOGIN_OK, Protocol.SEND_ACK, Protocol.DELIVER, Protocol.PRESENCE,
                Protocol.ERROR, Protocol.GOAWAY};
            return serverFrame(types[r.nextInt(types.length)]);
        }

        private byte[] serverFrame(final byte type) {
            final ExpandableArrayBuffer b = new ExpandableArrayBuffer(256);
            final byte[] id = id().getBytes(StandardCharsets.UTF_8);
            final int n;
            switch (type) {
                case Protocol.LOGIN_OK:
                    n = FrameEncoder.loginOk(b, 0, 1, id, r.nextLong(), MAX_PAYLOAD, HEARTBEAT_MILLIS, r.nextInt(9),
                        r.nextInt(9));
                    break;
                case Protocol.SEND_ACK:
                    n = FrameEncoder.sendAck(b, 0, r.nextLong(), r.nextInt(7), r.nextInt(100), r.nextLong(), r.nextInt(100));
                    break;
                case Protocol.DELIVER: {
                    final byte[] p = randomBytes(r.nextInt(100));
                    n = FrameEncoder.deliver(b, 0, r.nextInt(100), new UnsafeBuffer(id), 0, id.length, r.nextLong(),
                        new UnsafeBuffer(p), 0, p.length);
                    break;
                }
                case Protocol.PRESENCE:
                    n = FrameEncoder.presence(b, 0, id, r.nextBoolean(), r.nextLong());
                    break;
                case Protocol.ERROR:
                    n = FrameEncoder.error(b, 0, 1 + r.nextInt(13), "text " + r.nextInt());
                    break;
                default:
                    n = FrameEncoder.goaway(b, 0, r.nextInt(10_000), "draining");
                    break;
            }
            return Arrays.copyOf(b.byteArray(), n);
        }

        private byte[] clientFrame(final byte type) {
            final ExpandableArrayBuffer b = new ExpandableArrayBuffer(256);
            final int n;
            switch (type) {
                case Protocol.SEND: {
                    final byte[] p = randomBytes(r.nextInt(200));
                    n = FrameEncoder.send(b, 0, r.nextLong(), id().getBytes(StandardCharsets.UTF_8), p, 0, p.length);
                    break;
                }
                case Protocol.DELIVER_ACK:
                    n = FrameEncoder.deliverAck(b, 0, r.nextBoolean() ? r.nextInt(1000) : Long.MAX_VALUE - r.nextInt(2));
                    break;
                case Protocol.PRESENCE_QUERY:
                    n = FrameEncoder.presenceQuery(b, 0, id().getBytes(StandardCharsets.UTF_8));
                    break;
                case Protocol.PING:
                    n = FrameEncoder.ping(b, 0, r.nextLong());
                    break;
                default:
                    n = FrameEncoder.pong(b, 0, r.nextLong());
                    break;
            }
            return Arrays.copyOf(b.byteArray(), n);
        }

        /** One random mutation of a whole frame (length prefix included), described in {@code how}. */
        private byte[] mutate(final byte[] frame, final StringBuilder how) {
            final String name = Protocol.typeName(frame[4]);
            if (how.length() > 0 && how.charAt(how.length() - 1) != ' ') {
                how.append(", ");
            }
            switch (r.nextInt(8)) {
                case 0: {
                    final byte[] m = frame.clone();
                    final int flips = 1 + r.nextInt(3);
                    for (int k = 0; k < flips; k++) {
                        m[r.nextInt(m.length)] ^= (byte) (1 + r.nextInt(255));
                    }
                    how.append(name).append(" with ").append(flips).append(" flipped bytes");
                    return m;
                }
                case 1: {
                    final int keep = r.nextInt(frame.length);
                    how.append(name).append(" cut to ").append(keep).append(" of ").append(frame.length);
                    return Arrays.copyOf(frame, keep);
                }
                case 2: {
                    final byte[] extra = randomBytes(1 + r.nextInt(16));
                    how.append(name).append(" + ").append(extra.length).append(" random bytes");
                    return concat(frame, extra);
                }
                case 3: {
                    // the body made longer or shorter under a matching length prefix
                    final int delta = r.nextBoolean() ? 1 + r.nextInt(8) : -Math.min(frame.length - 5, 1 + r.nextInt(8));
                    final byte[] m = Arrays.copyOf(frame, frame.length + delta);
                    if (delta > 0) {
                        System.arraycopy(randomBytes(delta), 0, m, frame.length, delta);
                    }
                    new UnsafeBuffer(m).putInt(0, m.length - 4, ByteOrder.BIG_ENDIAN);
                    how.append(name).append(" body ").append(delta > 0 ? "+" : "").append(delta).append(" (prefix kept consistent)");
                    return m;
                }
                case 4: {
                    final byte[] m = frame.clone();
                    final int[] lengths = {0, -1, 1, frame.length - 5, frame.length - 3, r.nextInt(), 8192, 8193,
                        Protocol.maxFrameAfterLogin(MAX_PAYLOAD) + 1};
                    final int length = lengths[r.nextInt(lengths.length)];
                    new UnsafeBuffer(m).putInt(0, length, ByteOrder.BIG_ENDIAN);
                    how.append(name).append(" with length prefix ").append(Integer.toUnsignedString(length));
                    return m;
                }
                case 5: {
                    final byte[] m = frame.clone();
                    m[4] = (byte) r.nextInt(256);
                    how.append(name).append(" retyped as ").append(m[4] & 0xFF);
                    return m;
                }
                case 6: {
                    final int at = r.nextInt(frame.length + 1);
                    final byte[] m = new byte[frame.length + 1];
                    System.arraycopy(frame, 0, m, 0, at);
                    m[at] = (byte) r.nextInt(256);
                    System.arraycopy(frame, at, m, at + 1, frame.length - at);
                    how.append(name).append(" with a byte inserted at ").append(at);
                    return m;
                }
                default: {
                    final int at = r.nextInt(frame.length);
                    final byte[] m = new byte[frame.length - 1];
                    System.arraycopy(frame, 0, m, 0, at);
                    System.arraycopy(frame, at + 1, m, at, frame.length - at - 1);
                    how.append(name).append(" with byte ").append(at).append(" deleted");
                    return m;
                }
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    static byte[] loginFrame(final byte[] token, final String device, final long cursor) {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(token.length + 64);
        final int n = FrameEncoder.login(b, 0, 1, 1, token, device.getBytes(StandardCharsets.UTF_8), cursor);
        return Arrays.copyOf(b.byteArray(), n);
    }

    private static byte[] pingFrame(final long nonce) {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(16);
        return Arrays.copyOf(b.byteArray(), FrameEncoder.ping(b, 0, nonce));
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the server process's open file descriptors (Linux /proc), or -1 where unavailable. */
    private static long openFiles(final ServerProcess server) {
        final Path fds = Path.of("/proc", Long.toString(server.pid()), "fd");
        try (var list = Files.list(fds)) {
            return list.count();
        } catch (final IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Every offender socket was released: the descriptor count comes back near its baseline. */
    private static void assertNoLeakedFiles(final ServerProcess server, final long baseline) {
        if (baseline < 0) {
            return;
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long now = openFiles(server);
        while (now > baseline + 8 && System.nanoTime() < deadline) {
            sleep(200);
            now = openFiles(server);
        }
        assertThat(now).as("server file descriptors after the attack (baseline %d)", baseline)
            .isLessThanOrEqualTo(baseline + 8);
    }
}
