package io.iris.storage.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Lua scripts that keep an inbox consistent: each operation that touches several keys of a user
 * runs as one script, so Redis applies it atomically (and, in a cluster, on the user's one slot). They
 * are loaded with {@code SCRIPT LOAD} on every node and called with {@code EVALSHA}; see
 * {@link InboxKeys} for the keys.
 */
final class InboxScripts {
    /**
     * Append, unless the dedup key is known. KEYS: seq, log, dedup. ARGV: expected seq (0 = take the
     * next), dedup member, record, now (ms), retention (ms, 0 = none), dedup window (appends of the
     * inbox). Returns the seq stored, minus the original seq for a known dedup key, or 0 when the next
     * seq is not the expected one (nothing stored: the caller's view of the inbox was stale).
     */
    static final String APPEND = """
        local original = redis.call('ZSCORE', KEYS[3], ARGV[2])
        if original then
          return -tonumber(original)
        end
        local seq = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
        local expected = tonumber(ARGV[1])
        if expected ~= 0 and expected ~= seq then
          return 0
        end
        local id = string.format('%d', seq)
        redis.call('SET', KEYS[1], id)
        redis.call('XADD', KEYS[2], id .. '-0', 't', ARGV[4], 'r', ARGV[3])
        redis.call('ZADD', KEYS[3], id, ARGV[2])
        local window = tonumber(ARGV[6])
        if seq > window then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', string.format('%d', seq - window))
        end
        local retention = tonumber(ARGV[5])
        if retention > 0 then
          redis.call('PEXPIRE', KEYS[2], ARGV[5])
          redis.call('PEXPIRE', KEYS[3], ARGV[5])
          if seq % 64 == 1 then
            local cutoff = tonumber(ARGV[4]) - retention
            for _ = 1, 16 do
              local head = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 16)
              local expired = nil
              for _, entry in ipairs(head) do
                if tonumber(entry[2][2]) < cutoff then
                  expired = tonumber(string.match(entry[1], '^(%d+)'))
                else
                  break
                end
              end
              if expired == nil then
                break
              end
              redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', expired + 1))
            end
          end
        end
        return seq
        """;

    /**
     * Cumulative ack, then trim what every known device acknowledged. KEYS: seq, log, cursors. ARGV:
     * device, upTo (at least 0). Returns the device's cursor.
     */
    static final String ACK = """
        local last = tonumber(redis.call('GET', KEYS[1]) or '0')
        local up = tonumber(ARGV[2])
        if up > last then
          up = last
        end
        local current = redis.call('HGET', KEYS[3], ARGV[1])
        if current == false or tonumber(current) < up then
          redis.call('HSET', KEYS[3], ARGV[1], string.format('%d', up))
        else
          up = tonumber(current)
        end
        local min = nil
        for _, v in ipairs(redis.call('HVALS', KEYS[3])) do
          local c = tonumber(v)
          if min == nil or c < min then
            min = c
          end
        end
        if min ~= nil and min > 0 then
          redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', min + 1))
        end
        return up
        """;

    /** SHA1 of {@link #APPEND}, for EVALSHA. */
    static final String APPEND_SHA = sha1(APPEND);
    /** SHA1 of {@link #ACK}, for EVALSHA. */
    static final String ACK_SHA = sha1(ACK);

    private InboxScripts() {
    }

    static String sha1(final String script) {
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
            final StringBuilder hex = new StringBuilder(40);
            for (final byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
