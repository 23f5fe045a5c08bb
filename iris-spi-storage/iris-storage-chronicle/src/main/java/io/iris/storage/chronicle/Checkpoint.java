package io.iris.storage.chronicle;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The state that must outlive deleted log cycles: each user's last seq, device cursors and last-seen time. Written
 * before any cycle file is deleted (to a temporary file, forced, atomically renamed over the old one,
 * directory forced), read first at start-up. Seqs and cursors only grow, so start-up merges the checkpoint
 * and the replayed log by taking the maximum: any checkpoint at least as new as the deleted cycles is
 * correct, however much newer log follows it. The last-seen time is replaced by any SEEN record replayed
 * after it (the log is newer).
 *
 * <pre>
 * magic:i32 "IRC2" | users:i32 | { user:utf | lastSeq:i64 | lastSeen:i64 | devices:i32 | { device:utf | cursor:i64 }* }* | crc32c:i32
 * </pre>
 * A checkpoint of the previous format ("IRC1", without {@code lastSeen}) is still read, as last seen 0.
 * ({@code utf} is {@link DataOutputStream#writeUTF}; the CRC covers everything before it.)
 */
final class Checkpoint {
    private static final int MAGIC = 0x49524332; // "IRC2"
    private static final int MAGIC_V1 = 0x49524331; // "IRC1": no lastSeen

    /** One user's durable state. */
    record UserState(String userId, long lastSeq, long lastSeen, String[] devices, long[] cursors) {
    }

    private Checkpoint() {
    }

    /**
     * Writes the checkpoint durably, replacing the previous one.
     *
     * @param file  the checkpoint file.
     * @param users every user's state.
     * @throws IOException if it cannot be written and forced.
     */
    static void write(final Path file, final List<UserState> users) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + users.size() * 48);
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(users.size());
        for (final UserState u : users) {
            out.writeUTF(u.userId());
            out.writeLong(u.lastSeq());
            out.writeLong(u.lastSeen());
            out.writeInt(u.devices().length);
            for (int i = 0; i < u.devices().length; i++) {
                out.writeUTF(u.devices()[i]);
                out.writeLong(u.cursors()[i]);
            }
        }
        out.flush();
        final CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.flush();

        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.getParent());
    }

    /**
     * @param file the checkpoint file.
     * @return the users it holds, empty if there is no checkpoint yet.
     * @throws IllegalStateException if it exists but is damaged: the store must not start without it.
     */
    static List<UserState> read(final Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            final byte[] all = Files.readAllBytes(file);
            if (all.length < 12) {
                throw new IllegalStateException("checkpoint " + file + " is truncated (" + all.length + " bytes)");
            }
            final CRC32C crc = new CRC32C();
            crc.update(all, 0, all.length - 4);
            final int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
            if ((int) crc.getValue() != stored) {
                throw new IllegalStateException("checkpoint " + file + " fails its checksum: the data directory is damaged");
            }
            final DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 4));
            final int magic = in.readInt();
            if (magic != MAGIC && magic != MAGIC_V1) {
                throw new IllegalStateException("checkpoint " + file + " has an unknown format");
            }
            final int n = in.readInt();
            final List<UserState> users = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                final String user = in.readUTF();
                final long lastSeq = in.readLong();
                final long lastSeen = magic == MAGIC ? in.readLong() : 0;
                final int d = in.readInt();
                final String[] devices = new String[d];
                final long[] cursors = new long[d];
                for (int j = 0; j < d; j++) {
                    devices[j] = in.readUTF();
                    cursors[j] = in.readLong();
                }
                users.add(new UserState(user, lastSeq, lastSeen, devices, cursors));
            }
            return users;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file, e);
        }
    }

    /**
     * Forces a directory, so that files created, renamed or deleted in it survive a power loss.
     *
     * @param dir the directory.
     * @throws IOException if it cannot be forced.
     */
    static void forceDirectory(final Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
