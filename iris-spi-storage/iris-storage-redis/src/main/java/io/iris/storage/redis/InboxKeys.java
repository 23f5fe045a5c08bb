package io.iris.storage.redis;

import java.nio.charset.StandardCharsets;

/**
 * The Redis key layout of an inbox: one place that names every key and member.
 *
 * <pre>
 *   {prefix}:{&lt;tag&gt;}:seq     STRING  the user's last seq (never expires: seqs are never reused)
 *   {prefix}:{&lt;tag&gt;}:log     STREAM  one entry per record, id &lt;seq&gt;-0, fields t (append time, ms) and r (bytes)
 *   {prefix}:{&lt;tag&gt;}:dedup   ZSET    member &lt;clientMsgId&gt;:&lt;senderId&gt;, score = seq; the newest dedup.window
 *   {prefix}:{&lt;tag&gt;}:cur     HASH    deviceId -&gt; cursor (never expires)
 *   {prefix}:{&lt;tag&gt;}:seen    STRING  when the user was last seen online, epoch ms (never expires)
 * </pre>
 *
 * {@code <tag>} is the user id's UTF-8 bytes with {@code %}, <code>{</code> and <code>}</code>
 * percent-encoded, so the hash tag is always well formed and all keys of a user hash to the
 * same Redis Cluster slot (scripts may touch them together). Distinct user ids give distinct tags.
 * The dedup member needs no escaping: a decimal id holds no {@code :}, so the first {@code :} ends it.
 */
final class InboxKeys {
    private static final byte[] SEQ = bytes("}:seq");
    private static final byte[] LOG = bytes("}:log");
    private static final byte[] DEDUP = bytes("}:dedup");
    private static final byte[] CURSORS = bytes("}:cur");
    private static final byte[] SEEN = bytes("}:seen");
    private static final byte[] HEX = bytes("0123456789ABCDEF");
    private static final byte[] EMPTY_TAG = bytes("%");

    private final byte[] head;

    /**
     * @param prefix first part of every key; no braces.
     */
    InboxKeys(final String prefix) {
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("key prefix must not contain braces: " + prefix);
        }
        this.head = bytes(prefix + ":{");
    }

    /** @return the keys of a user: seq, log, dedup, cursors (use the {@code *_KEY} indexes). */
    byte[][] of(final String userId) {
        final byte[] tag = tag(userId);
        return new byte[][]{key(tag, SEQ), key(tag, LOG), key(tag, DEDUP), key(tag, CURSORS)};
    }

    /** @return the user's seq key. */
    byte[] seq(final String userId) {
        return key(tag(userId), SEQ);
    }

    /** @return the user's log key. */
    byte[] log(final String userId) {
        return key(tag(userId), LOG);
    }

    /** @return the user's cursors key. */
    byte[] cursors(final String userId) {
        return key(tag(userId), CURSORS);
    }

    /** @return the user's last-seen key. */
    byte[] seen(final String userId) {
        return key(tag(userId), SEEN);
    }

    /** Index of the seq key in {@link #of}. */
    static final int SEQ_KEY = 0;
    /** Index of the log key in {@link #of}. */
    static final int LOG_KEY = 1;
    /** Index of the dedup key in {@link #of}. */
    static final int DEDUP_KEY = 2;
    /** Index of the cursors key in {@link #of}. */
    static final int CURSORS_KEY = 3;

    /**
     * @param senderId    the sender.
     * @param clientMsgId the sender's message id.
     * @return the dedup set member: {@code <clientMsgId>:<senderId>}.
     */
    static byte[] dedupMember(final String senderId, final long clientMsgId) {
        return bytes(Long.toString(clientMsgId) + ':' + senderId);
    }

    /**
     * @param userId a user id.
     * @return the hash tag content for it: UTF-8 with {@code %}, <code>{</code>, <code>}</code> escaped.
     */
    static byte[] tag(final String userId) {
        final byte[] raw = bytes(userId);
        if (raw.length == 0) {
            return EMPTY_TAG; // "{}" would not be a hash tag; a lone '%' is never the escape of a real id
        }
        int escapes = 0;
        for (final byte b : raw) {
            if (b == '{' || b == '}' || b == '%') {
                escapes++;
            }
        }
        if (escapes == 0) {
            return raw;
        }
        final byte[] out = new byte[raw.length + 2 * escapes];
        int i = 0;
        for (final byte b : raw) {
            if (b == '{' || b == '}' || b == '%') {
                out[i++] = '%';
                out[i++] = HEX[(b >> 4) & 0xf];
                out[i++] = HEX[b & 0xf];
            } else {
                out[i++] = b;
            }
        }
        return out;
    }

    private byte[] key(final byte[] tag, final byte[] suffix) {
        final byte[] key = new byte[head.length + tag.length + suffix.length];
        System.arraycopy(head, 0, key, 0, head.length);
        System.arraycopy(tag, 0, key, head.length, tag.length);
        System.arraycopy(suffix, 0, key, head.length + tag.length, suffix.length);
        return key;
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
