package io.iris.engine.routing;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The users a shard has seen recently, found by the UTF-8 bytes of their id without creating a String:
 * open addressing with linear probing over {@link User} entries. A user's entry (its id as bytes and
 * as a String) is created the first time the shard sees the user; every later lookup allocates nothing.
 * Single-threaded (the shard's thread).
 *
 * <p>Bounded: it is a cache of interned ids, nothing else, so when it holds {@code maxUsers} entries it is
 * simply emptied and refilled by the next lookups. A sender spraying messages over new recipient ids
 * therefore costs the shard at most {@code maxUsers} entries (about 150 bytes each with the slot array),
 * and users in steady use are back in the table after one allocation each. Nothing may keep a {@link User}
 * across duty cycles expecting it to stay in the table (holding its {@code id} String is fine).
 */
final class UserTable {
    private static final int INITIAL_SLOTS = 1024;

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

    private final int maxUsers;
    private User[] slots = new User[INITIAL_SLOTS];
    private int size;
    private long clears;

    /** @param maxUsers the most entries held; reaching it empties the table. At least 1. */
    UserTable(final int maxUsers) {
        if (maxUsers < 1) {
            throw new IllegalArgumentException("maxUsers must be at least 1: " + maxUsers);
        }
        this.maxUsers = maxUsers;
    }

    /**
     * @param b      holds the id bytes (a valid user id).
     * @param offset where they start.
     * @param length how many.
     * @return the user, or null if the table does not hold it.
     */
    User find(final DirectBuffer b, final int offset, final int length) {
        final int hash = HashShard.hash(b, offset, length);
        final int mask = slots.length - 1;
        int i = hash & mask;
        while (true) {
            final User u = slots[i];
            if (u == null) {
                return null;
            }
            if (u.hash == hash && equal(u.idBytes, b, offset, length)) {
                return u;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * @param b      holds the id bytes (a valid user id).
     * @param offset where they start.
     * @param length how many.
     * @return the user, created on first sight (or first sight since the table was last emptied).
     */
    User getOrCreate(final DirectBuffer b, final int offset, final int length) {
        final User found = find(b, offset, length);
        if (found != null) {
            return found;
        }
        if (size >= maxUsers) {
            Arrays.fill(slots, null);
            size = 0;
            clears++;
        }
        final int hash = HashShard.hash(b, offset, length);
        final byte[] bytes = new byte[length];
        b.getBytes(offset, bytes);
        final User created = new User(new String(bytes, StandardCharsets.UTF_8), bytes, hash);
        insert(created);
        size++;
        if (size * 2 > slots.length) {
            grow();
        }
        return created;
    }

    /** @return how many users the table holds, at most {@code maxUsers}. */
    int size() {
        return size;
    }

    /** @return how many times the table was emptied because it was full. */
    long clears() {
        return clears;
    }

    /** @return the slot array's length (bounded by about four times {@code maxUsers}). */
    int capacity() {
        return slots.length;
    }

    private void insert(final User u) {
        final int mask = slots.length - 1;
        int i = u.hash & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = u;
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
        for (final User u : old) {
            if (u != null) {
                insert(u);
            }
        }
    }
}
