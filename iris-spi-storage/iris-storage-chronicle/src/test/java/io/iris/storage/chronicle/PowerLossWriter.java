package io.iris.storage.chronicle;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The writing side of {@link PowerLossTest}, run in a child JVM that the test kills with SIGKILL: appends
 * batches of records to a {@link ChronicleInboxStore} and, after each {@code sync()} returned, prints one
 * line per record of the batch ({@code A user seq clientMsgId}): exactly what a SEND_ACK would have
 * promised. Stops by itself after {@code maxSeconds}.
 *
 * <p>Arguments: store directory, roll cycle name, durability, seed, maxSeconds.
 */
public final class PowerLossWriter {
    static final String SENDER = "s";
    static final int USERS = 6;
    private static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private PowerLossWriter() {
    }

    /**
     * @param args see the class comment.
     */
    public static void main(final String[] args) {
        final Path dir = Path.of(args[0]);
        final long seed = Long.parseLong(args[3]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        final Random random = new Random(seed);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8 + 2000]);
        try (ChronicleInboxStore store = ChronicleInboxStore.builder(dir)
            .rollCycle(ChronicleStorageProvider.rollCycle(args[1]))
            .durability(Durability.parse(args[2]))
            .blockSize(1 << 20)
            .minFreeBytes(8 << 20)
            .open()) {
            System.out.println("R " + store.recoveryStats().millis() + " " + store.recoveryStats().records());
            long clientMsgId = seed << 20; // unique across the test's children
            final StringBuilder acks = new StringBuilder();
            while (System.nanoTime() < deadline) {
                final int batch = 1 + random.nextInt(32);
                for (int i = 0; i < batch; i++) {
                    final String user = "u" + random.nextInt(USERS);
                    final int length = fill(buffer, ++clientMsgId);
                    final long seq = store.append(user, SENDER, clientMsgId, buffer, 0, length);
                    acks.append("A ").append(user).append(' ').append(seq).append(' ').append(clientMsgId).append('\n');
                }
                store.sync();
                System.out.print(acks);
                System.out.flush();
                acks.setLength(0);
                LockSupport.parkNanos(PACE_NANOS); // about 3,000 records a second: the small disk lasts the test
            }
        }
        System.out.println("D");
    }

    /** Writes the record of a client message id (its id first, then a pattern); @return its length. */
    static int fill(final UnsafeBuffer buffer, final long clientMsgId) {
        final int length = 8 + 100 + (int) Math.floorMod(clientMsgId * 7919, 1900);
        buffer.putLong(0, clientMsgId);
        for (int i = 8; i < length; i++) {
            buffer.putByte(i, (byte) (clientMsgId * 31 + i));
        }
        return length;
    }
}
