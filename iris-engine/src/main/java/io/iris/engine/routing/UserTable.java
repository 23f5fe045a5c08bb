package io.iris.engine.routing;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The users a shard has seen, found by the UTF-8 bytes of their id without creating a String:
 * open addressing with linear probing over {@link User} entries. A user's entry (its id as bytes and
 * as a String) is created once, the first time the shard
 * sees the user; every later lookup allocates nothing. Single-threaded (the shard's thread).
 */
final class UserTable {
    /** A user known to the shard. */
    static final class User {
        final String id;
        final byte[] idBytes;
        final int hash;

        User(final String id, final byte[] idBytes, final int hash) {
            this.id = id;
            this.idBytes = idBytes;
            this.hash = hash;
        }
    }

    private User[] slots = new User[1024];
    private int size;

    /**
     * @param b      holds the id bytes (valid UTF-8, 1..64 bytes).
     * @param offset where they start.
     * @param length how many.
     * @return the user, created on first sight.
     */
    User getOrCreate(final DirectBuffer b, final int offset, final int length) {
        final int hash = HashShard.hash(b, offset, length);
        int mask = slots.length - 1;
        int i = hash & mask;
        while (true) {
            final User u = slots[i];
            if (u == null) {
                break;
            }
            if (u.hash == hash && equal(u.idBytes, b, offset, length)) {
                return u;
            }
            i = (i + 1) & mask;
        }
        final byte[] bytes = new byte[length];
        b.getBytes(offset, bytes);
        final User created = new User(new String(bytes, StandardCharsets.UTF_8), bytes, hash);
        slots[i] = created;
        size++;
        if (size * 2 > slots.length) {
            grow();
        }
        return created;
    }

    /** @return how many users the table holds. */
    int size() {
        return size;
    }

    private static boolean equal(final byte[] a, final DirectBuffer b, final int offset, final int length) {
        if (a.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (a[i] != b.getByte(offset + i)) {
                return false;
            }
        }
        return true;
    }

    private void grow() {
        final User[] old = slots;
        slots = new User[old.length * 2];
        final int mask = slots.length - 1;
        for (final User u : old) {
            if (u != null) {
                int i = u.hash & mask;
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                slots[i] = u;
            }
        }
    }
}
