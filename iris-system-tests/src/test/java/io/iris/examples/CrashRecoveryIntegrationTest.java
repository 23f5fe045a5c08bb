package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.protocol.SendStatus;
import io.iris.client.IrisClient;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.auth.JwtMinter;
import io.iris.storage.chronicle.ChronicleStorageProvider;
import io.iris.storage.tck.LoopDisk;
import io.iris.testsupport.Await;
import io.iris.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zero-loss promise under SIGKILL: a message whose SEND_ACK the sender received is delivered to
 * every device of its recipient, in inbox order, even if the server is killed at any moment; and
 * retrying a send never stores it twice.
 *
 * <p>The reference server runs in a child JVM with {@code storage=chronicle} on a data directory and
 * a port that outlive it. Four senders pipeline messages (up to 64 unanswered each, every message with
 * its own client message id) to six recipients: three online all along with two devices each, three
 * offline until the end. The server is killed with SIGKILL ({@code Process.destroyForcibly}) at
 * random moments (after a random amount of progress plus a random delay, from a seeded
 * {@link Random} whose seed is printed), restarted on the same directory and port, and everybody
 * reconnects: {@link IrisClient} re-sends unanswered sends with the same id, resumes deliveries from
 * its cursor and drops repeats by seq. After each restart some already acknowledged messages are sent
 * again with their id, as an application that lost the receipt would.
 *
 * <p>At the end it asserts, per recipient and device: every acknowledged message was delivered, under
 * the seq its SEND_ACK named; deliveries came in strictly increasing seq order with no gap from 1; no
 * message was delivered twice; no seq carried two different messages; every message sent (all are
 * eventually acknowledged) was stored exactly once (the inbox's last seq equals the number of
 * messages sent to it); and every repeated send was answered DUPLICATE with the original seq.
 *
 * <p>The power-loss variant runs the same traffic and checks on an ext4 file system on a loop device
 * ({@link LoopDisk}) with one log file per second: after each SIGKILL the device's content — without the
 * page cache, as a power cut leaves it — is copied and mounted in place of the original before the
 * restart. It checks what {@code fsync} mode promises: nothing acknowledged is lost, nothing stored twice,
 * no seq reused, even right after a log-file roll.
 *
 * <p>Run in CI with 3 kills and 3,000 messages each. The heavier runs:
 * {@code mvn -pl iris-system-tests -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Diris.test.timeout=2h
 * -Dit.test='CrashRecoveryIntegrationTest#everyAcknowledgedMessageSurvivesSigkill*' -Diris.crash.cycles=20}
 * (optionally {@code -Diris.crash.messages=N -Diris.crash.seed=S -Diris.crash.durability=async}), and
 * {@code -Dit.test='CrashRecoveryIntegrationTest#*PowerLoss*' -Diris.crash.cycles=20 -Diris.crash.rollCycle=MINUTELY
 * -Diris.crash.messages=360000 -Diris.crash.rate=300} (minute files: each kill waits for a roll, then comes 4
 * to 18 s after it; the rate keeps traffic flowing through all of them).
 */
class CrashRecoveryIntegrationTest {
    private static final int CYCLES = Integer.getInteger("iris.crash.cycles", 3);
    private static final int MESSAGES = Integer.getInteger("iris.crash.messages", 1_000 * CYCLES);
    private static final long SEED = Long.getLong("iris.crash.seed", System.nanoTime());
    private static final String DURABILITY = System.getProperty("iris.crash.durability", "fsync");
    private static final String ROLL_CYCLE = System.getProperty("iris.crash.rollCycle", "TEST_SECONDLY");
    /** Messages per second over all senders, 0 for as fast as the server answers. */
    private static final int RATE = Integer.getInteger("iris.crash.rate", 0);
    private static final int SENDERS = 4;
    private static final int IN_FLIGHT = 64;
    private static final String[] ONLINE = {"crash-r0", "crash-r1", "crash-r2"};
    private static final String[] OFFLINE = {"crash-r3", "crash-r4", "crash-r5"};
    private static final long DEADLINE_SECONDS = 180;
    /** Sends of one probe at most while the answer is a retryable refusal (each after its retry-after, ≤ 1 s). */
    private static final int PROBE_ATTEMPTS = 30;
    /** Probes re-send messages among each sender's most recent this many: well inside the dedup window. */
    private static final int PROBE_RECENT = 10_000;

    @TempDir
    Path work;

    private final JwtMinter minter = JwtAuthenticatorProvider.minterFrom(
        IrisConfig.of(Map.of("auth.jwt.secret", ServerProcess.SECRET)));
    private final Map<String, Long> acked = new ConcurrentHashMap<>(); // message key -> seq its SEND_ACK named
    private final Map<String, String> recipientOf = new ConcurrentHashMap<>(); // message key -> recipient
    private final List<String> ackConflicts = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong duplicateAnswers = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    /** Each probe logs in as a device of its own: two probes of one message must not replace each other. */
    private final AtomicLong probeDevices = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private int port;

    @Test
    void everyAcknowledgedMessageSurvivesSigkillAndNothingIsStoredTwice() throws Exception {
        run(work, null, Map.of(
            "storage", "chronicle",
            "storage.chronicle.durability", DURABILITY,
            "storage.chronicle.minFreeBytes", "64m",
            "limits.rate.perSecond", "1000000",
            "limits.rate.burst", "1000000"));
    }

    @Test
    void everyAcknowledgedMessageSurvivesPowerLossAfterLogRollsAndNothingIsStoredTwice() throws Exception {
        try (LoopDisk disk = LoopDisk.create(work, 2048)) {
            run(disk.mountPoint(), disk, Map.of(
                "storage", "chronicle",
                "storage.chronicle.durability", "fsync",
                "storage.chronicle.rollCycle", ROLL_CYCLE,
                "storage.chronicle.blockSize", "1m",
                "storage.chronicle.minFreeBytes", "32m",
                "limits.rate.perSecond", "1000000",
                "limits.rate.burst", "1000000"));
        }
    }

    /**
     * @param dir    the server's working directory (its data directory goes below it).
     * @param disk   null for SIGKILL only; else the disk whose page cache is dropped after each kill.
     * @param config the server's configuration.
     */
    private void run(final Path dir, final LoopDisk disk, final Map<String, String> config) throws Exception {
        final long started = System.nanoTime();
        final String mode = disk == null ? "crash test" : "power-loss test";
        System.out.printf("%s: seed=%d cycles=%d messages=%d config=%s%n", mode, SEED, CYCLES, MESSAGES, config);
        final Random random = new Random(SEED);
        port = ChildJvm.freeLoopbackPort();
        final long rollMillis = disk == null ? 0 : ChronicleStorageProvider.rollCycle(ROLL_CYCLE).lengthInMillis();
        ServerProcess server = ServerProcess.startIn(dir, port, config);
        final List<Device> devices = new ArrayList<>();
        final List<Sender> senders = new ArrayList<>();
        final List<CompletableFuture<String>> probes = new ArrayList<>();
        final Set<String> probing = ConcurrentHashMap.newKeySet();
        final List<String> recoveries = new ArrayList<>();
        try {
            for (final String user : ONLINE) {
                devices.add(new Device(user, "phone"));
                devices.add(new Device(user, "laptop"));
            }
            for (final Device d : devices) {
                d.client.connect().get(30, TimeUnit.SECONDS);
            }
            final String[] recipients = concat(ONLINE, OFFLINE);
            for (int s = 0; s < SENDERS; s++) {
                final Sender sender = new Sender(s, MESSAGES / SENDERS, recipients);
                senders.add(sender);
                sender.client.connect().get(30, TimeUnit.SECONDS);
                sender.thread.start();
            }

            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                final long target = (long) MESSAGES * cycle / (CYCLES + 1) + random.nextInt(MESSAGES / (4 * (CYCLES + 1)) + 1);
                Await.until(() -> acked.size() >= target, DEADLINE_SECONDS, "progress to " + target + " acknowledged messages before kill " + cycle);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(25))); // a random moment
                if (rollMillis >= 60_000) { // long log files: kill 4 to 18 s after the next roll
                    final long killAt = (System.currentTimeMillis() / rollMillis + 1) * rollMillis + 4_000
                        + random.nextInt(14_000);
                    while (System.currentTimeMillis() < killAt) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                }
                final int ackedAtKill = acked.size();
                server.kill();
                final long down = System.nanoTime();
                if (disk != null) {
                    disk.powerLoss();
                }
                server = ServerProcess.startIn(dir, port, config);
                recoveries.add(String.format("kill %d at %d acked, back in %d ms: %s", cycle, ackedAtKill,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down), recoveryLine(server)));
                // an application that lost some receipts sends those messages again, with their ids; only recent
                // ones: the server promises dedup within its window (dedup.window appends, 262,144 by default),
                // and a long run sends more than that
                final int newest = acked.keySet().stream().mapToInt(k -> Integer.parseInt(k.split(":")[1])).max()
                    .orElse(0);
                final List<String> keys = new ArrayList<>();
                acked.keySet().forEach(k -> {
                    if (Integer.parseInt(k.split(":")[1]) > newest - PROBE_RECENT) {
                        keys.add(k);
                    }
                });
                Collections.sort(keys);
                // ten different messages, none still being probed from an earlier cycle: a client refuses a
                // second SEND with a client message id that is still pending
                Collections.shuffle(keys, random);
                int picked = 0;
                for (final String key : keys) {
                    if (picked == 10) {
                        break;
                    }
                    if (probing.add(key)) {
                        picked++;
                        probes.add(senders.get(0).probe(key).whenComplete((r, e) -> probing.remove(key)));
                    }
                }
            }

            Await.until(() -> acked.size() == MESSAGES, DEADLINE_SECONDS, "every message acknowledged");
            stop.set(true);
            for (final Sender s : senders) {
                s.thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            for (final Device d : devices) {
                Await.until(() -> d.hasEverything(), DEADLINE_SECONDS, d + " receiving every acknowledged message");
            }
            final List<Device> late = new ArrayList<>();
            for (final String user : OFFLINE) {
                late.add(new Device(user, "phone"));
            }
            for (final Device d : late) {
                d.client.connect().get(30, TimeUnit.SECONDS);
            }
            for (final Device d : late) {
                Await.until(() -> d.hasEverything(), DEADLINE_SECONDS, d + " (offline until now) receiving every acknowledged message");
            }
            devices.addAll(late);

            // ---- the assertions
            assertThat(ackConflicts).as("a message acknowledged under two different seqs").isEmpty();
            final Map<String, Map<Long, String>> seqToMessage = new HashMap<>();
            long deliveries = 0;
            for (final Device d : devices) {
                final Set<String> seen = new HashSet<>();
                final Map<Long, String> byseq = seqToMessage.computeIfAbsent(d.user, k -> new HashMap<>());
                long previous = 0;
                synchronized (d.delivered) {
                    for (final Delivery x : d.delivered) {
                        deliveries++;
                        assertThat(x.seq).as("%s: seqs strictly increase (inbox order)", d).isGreaterThan(previous);
                        assertThat(x.seq).as("%s: no gap in the inbox: every stored message is delivered", d)
                            .isEqualTo(previous + 1);
                        previous = x.seq;
                        assertThat(seen.add(x.key)).as("%s: %s delivered twice (under seq %d)", d, x.key, x.seq).isTrue();
                        final String other = byseq.putIfAbsent(x.seq, x.key);
                        assertThat(other == null || other.equals(x.key))
                            .as("%s: seq %d carries two different messages: %s and %s", d.user, x.seq, other, x.key).isTrue();
                        assertThat(recipientOf.get(x.key)).as("%s: %s was sent to this user", d, x.key).isEqualTo(d.user);
                    }
                }
                final Map<String, Long> expected = expectedFor(d.user);
                for (final Map.Entry<String, Long> e : expected.entrySet()) {
                    assertThat(byseq.get(e.getValue())).as("%s: acknowledged %s (seq %d) delivered under that seq", d,
                        e.getKey(), e.getValue()).isEqualTo(e.getKey());
                }
                assertThat(previous).as("%s: every message sent to %s stored exactly once: last seq = messages sent",
                    d, d.user).isEqualTo(expected.size());
            }
            for (final CompletableFuture<String> p : probes) {
                assertThat(p.get(60, TimeUnit.SECONDS)).as("a repeated send").isEqualTo("ok");
            }
            System.out.printf("%s: seed=%d, %d kills, %d messages acknowledged, %d deliveries checked on %d "
                    + "devices, %d DUPLICATE answers to re-sent messages, %d refusals retried, %d probes, %d s%n",
                mode, SEED, CYCLES, acked.size(), deliveries, devices.size(), duplicateAnswers.get(), refusals.get(),
                probes.size(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            recoveries.forEach(r -> System.out.println(mode + ": " + r));
            for (final Device d : devices) {
                d.client.close();
            }
            for (final Sender s : senders) {
                s.client.close();
            }
        } catch (final Throwable t) {
            recoveries.forEach(r -> System.out.println(mode + ": " + r));
            for (final Device d : devices) {
                final String missing = d.missing();
                if (!missing.isEmpty()) {
                    System.out.println(mode + ": " + d + " is missing " + missing);
                }
            }
            System.out.println(mode + " FAILED with seed " + SEED + "; server output tail:\n" + tail(server.output()));
            throw t;
        } finally {
            stop.set(true);
            devices.forEach(d -> d.client.close());
            senders.forEach(s -> s.client.close());
            server.close();
        }
    }

    private Map<String, Long> expectedFor(final String user) {
        final Map<String, Long> out = new HashMap<>();
        acked.forEach((key, seq) -> {
            if (user.equals(recipientOf.get(key))) {
                out.put(key, seq);
            }
        });
        return out;
    }

    private static String recoveryLine(final ServerProcess server) {
        final String out = server.output();
        final int i = out.lastIndexOf("recovered ");
        if (i < 0) {
            return "(no recovery line)";
        }
        final int end = out.indexOf(';', i);
        return out.substring(i, end < 0 ? Math.min(out.length(), i + 120) : end);
    }

    private static String tail(final String out) {
        return out.length() > 6_000 ? out.substring(out.length() - 6_000) : out;
    }

    private static String[] concat(final String[] a, final String[] b) {
        final String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private IrisClient.Builder client(final String user, final String device) {
        return IrisClient.builder()
            .address("127.0.0.1", port)
            .token(() -> minter.mint(user, Duration.ofHours(1)))
            .deviceId(device)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .connectTimeout(Duration.ofSeconds(5));
    }

    /** One delivery as the device's listener saw it (after the client's own dedup by seq). */
    private record Delivery(long seq, String key) {
    }

    /** A recipient's device: records every message its listener gets. */
    private final class Device {
        final String user;
        final String device;
        final List<Delivery> delivered = new ArrayList<>();
        final IrisClient client;

        Device(final String user, final String device) {
            this.user = user;
            this.device = device;
            this.client = client(user, device).listener(d -> {
                final String key = d.sender() + ":" + new String(d.payload(), StandardCharsets.UTF_8);
                synchronized (delivered) {
                    delivered.add(new Delivery(d.seq(), key));
                }
            }).build();
        }

        /** @return a description of the first acknowledged messages this device has not received. */
        String missing() {
            final Map<String, Long> expected = expectedFor(user);
            final StringBuilder out = new StringBuilder();
            synchronized (delivered) {
                for (final Delivery d : delivered) {
                    expected.remove(d.key);
                }
                out.append(expected.size()).append(" of them, e.g.");
                expected.entrySet().stream().sorted(Map.Entry.comparingByValue()).limit(5)
                    .forEach(e -> out.append(' ').append(e.getKey()).append("=#").append(e.getValue()));
                out.append("; last delivered seq ").append(delivered.isEmpty() ? 0 : delivered.get(delivered.size() - 1).seq);
            }
            return expected.isEmpty() ? "" : out.toString();
        }

        boolean hasEverything() {
            final Map<String, Long> expected = expectedFor(user);
            final Set<String> got = new HashSet<>();
            synchronized (delivered) {
                for (final Delivery d : delivered) {
                    got.add(d.key);
                }
            }
            return got.containsAll(expected.keySet());
        }

        @Override
        public String toString() {
            return user + "/" + device;
        }
    }

    /** One sender: a thread that pipelines its messages and retries refused ones with the same id. */
    private final class Sender {
        final String user;
        final int count;
        final String[] recipients;
        final IrisClient client;
        final Thread thread;
        final Semaphore window = new Semaphore(IN_FLIGHT);
        final ConcurrentLinkedQueue<Integer> retries = new ConcurrentLinkedQueue<>();
        long nextSendAt = System.nanoTime();

        Sender(final int index, final int count, final String[] recipients) {
            this.user = "crash-s" + index;
            this.count = count;
            this.recipients = recipients;
            this.client = client(user, "phone").listener(d -> { }).build();
            this.thread = new Thread(this::run, "crash-" + user);
            this.thread.setDaemon(true);
        }

        private void run() {
            try {
                for (int i = 0; i < count && !stop.get(); i++) {
                    submit(i);
                }
                while (!stop.get()) {
                    final Integer retry = retries.poll();
                    if (retry != null) {
                        submit(retry);
                    } else {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void submit(final int i) throws InterruptedException {
            if (RATE > 0) { // paced: traffic lasts through every kill of a long run
                final long wait = nextSendAt - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                nextSendAt = Math.max(nextSendAt, System.nanoTime() - 1_000_000_000L) + 1_000_000_000L * SENDERS / RATE;
            }
            window.acquire();
            final String recipient = recipients[i % recipients.length];
            final String key = user + ":" + i;
            recipientOf.put(key, recipient);
            client.send(recipient, i, Integer.toString(i).getBytes(StandardCharsets.UTF_8)).whenComplete((r, e) -> {
                window.release();
                if (e == null && (r.status() == SendStatus.STORED || r.status() == SendStatus.DUPLICATE)) {
                    if (r.status() == SendStatus.DUPLICATE) {
                        duplicateAnswers.incrementAndGet();
                    }
                    final Long before = acked.putIfAbsent(key, r.seq());
                    if (before != null && before != r.seq()) {
                        ackConflicts.add(key + " acknowledged as " + before + " and " + r.seq());
                    }
                } else {
                    refusals.incrementAndGet();
                    if (e == null && r.retryAfterMillis() > 0) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(r.retryAfterMillis(), 100)));
                    }
                    retries.add(i);
                }
            });
        }

        /** Sends a message again with its id, again after each retryable refusal (at most PROBE_ATTEMPTS times). */
        private CompletableFuture<String> resend(final IrisClient sender, final String key, final int i, final long seq,
                                                 final int attempt) {
            return sender.send(recipientOf.get(key), i, Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                .thenCompose(r -> {
                    if (r.status() == SendStatus.DUPLICATE && r.seq() == seq) {
                        return CompletableFuture.completedFuture("ok");
                    }
                    if (r.status().isRetryable() && attempt < PROBE_ATTEMPTS) {
                        final Executor later = CompletableFuture.delayedExecutor(
                            Math.max(20, Math.min(r.retryAfterMillis(), 1_000)), TimeUnit.MILLISECONDS);
                        return CompletableFuture.supplyAsync(() -> attempt + 1, later)
                            .thenCompose(next -> resend(sender, key, i, seq, next));
                    }
                    return CompletableFuture.completedFuture(
                        key + " re-sent: " + r.status() + " seq " + r.seq() + ", originally " + seq);
                });
        }

        /** Sends an acknowledged message again with its id; completes with "ok" if answered DUPLICATE(seq). */
        CompletableFuture<String> probe(final String key) {
            final String[] parts = key.split(":");
            final Sender owner = this;
            final int i = Integer.parseInt(parts[1]);
            final String from = parts[0];
            final long seq = acked.get(key);
            final IrisClient sender = from.equals(owner.user) ? owner.client
                : client(from, "retry-" + probeDevices.incrementAndGet()).listener(d -> { }).build();
            if (sender != owner.client) {
                sender.connect();
            }
            return resend(sender, key, i, seq, 0)
                .whenComplete((r, e) -> {
                    if (sender != owner.client) {
                        sender.close();
                    }
                });
        }
    }
}
