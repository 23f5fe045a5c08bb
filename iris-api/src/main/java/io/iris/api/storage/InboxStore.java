package io.iris.api.storage;

import io.iris.api.counters.IrisCounters;

import org.agrona.DirectBuffer;

/**
 * The inbox log of every user: the storage SPI contract.
 *
 * <h2>Model</h2>
 * <ul>
 *   <li>Each user has an inbox: an append-only sequence of opaque records. {@link #append} assigns
 *       the next sequence number: the first record of a user is 1, each next one is exactly one more,
 *       forever (trimming never resets it). 0 means "none".</li>
 *   <li>Each device of a user has a cursor: the highest seq that device acknowledged (cumulative).
 *       Cursors only move forward; an {@link #ack} lower than the current cursor is ignored.</li>
 *   <li>Every append carries a dedup key, {@code (senderId, clientMsgId)}. Appending to an inbox with a
 *       key already appended to that inbox within the store's dedup window stores nothing and returns the
 *       original seq, negated. The window is the provider's to document (a count of recent appends, a
 *       time); it must cover at least the {@code dedup.window} most recent appends of the store
 *       (default 262,144) and, for durable providers, survive a restart.</li>
 *   <li>A record may be trimmed once every device the store knows for that user has a cursor at or
 *       above its seq. A user with no known device keeps every record until retention removes it.
 *       {@link #read} never returns a trimmed record. {@link #oldestSeq} says where the readable records
 *       start.</li>
 *   <li>Retention: a provider that honours {@value StorageProvider#RETENTION_SECONDS} (default
 *       {@value StorageProvider#DEFAULT_RETENTION_SECONDS} seconds, 30 days; 0 = none) treats a record
 *       appended longer ago than that as trimmed, acknowledged or not: {@link #read} does not return
 *       it, and the provider may delete it then or later. Retention never changes {@link #lastSeq},
 *       cursors or the seqs of later appends. The provider documents whether it honours the key and the
 *       clock it measures with.</li>
 * </ul>
 *
 * <h2>Durability</h2>
 * {@link #append} returns as soon as the record is accepted; it need not be durable yet. Everything
 * appended (by any thread) before a call to {@link #sync()} returns is durable when it returns, to
 * the degree the provider documents. The engine sends SEND_ACK only after that — this is the group
 * commit: many appends, one sync.
 *
 * <h2>Threads</h2>
 * Implementations are thread-safe. The engine calls a user's inbox from one thread at a time, but
 * different users' inboxes from several threads at once.
 *
 * <h2>Failures</h2>
 * A provider that cannot write throws {@link StorageUnavailableException}; the engine then answers
 * the sender with the retryable {@code STORAGE_UNAVAILABLE} status and acknowledges nothing.
 */
public interface InboxStore extends AutoCloseable {
    /**
     * Appends a record to a user's inbox, unless its dedup key was already appended to that inbox within
     * the dedup window.
     *
     * @param userId      the inbox owner.
     * @param senderId    the sender: first half of the dedup key.
     * @param clientMsgId the sender's id for the message: second half of the dedup key.
     * @param record      buffer holding the record.
     * @param offset      where the record starts.
     * @param length      record length in bytes, at least 1.
     * @return the sequence number assigned (the user's previous {@link #lastSeq} plus one), or, for a
     * repeated dedup key, minus the seq the original was stored under (nothing is stored).
     * @throws StorageUnavailableException if the record cannot be accepted.
     */
    long append(String userId, String senderId, long clientMsgId, DirectBuffer record, int offset, int length);

    /**
     * Makes every record appended before this call durable.
     *
     * @throws StorageUnavailableException if durability cannot be confirmed; the caller must then
     *                                     treat those appends as not acknowledged.
     */
    void sync();

    /**
     * Reads records of a user's inbox in seq order, starting after {@code afterSeq}.
     *
     * @param userId     the inbox owner.
     * @param afterSeq   read records with seq strictly greater than this.
     * @param maxRecords the most records to hand to the visitor.
     * @param visitor    receives each record; the buffer is only valid during the call.
     * @return the number of records visited.
     */
    int read(String userId, long afterSeq, int maxRecords, InboxVisitor visitor);

    /**
     * @param userId the inbox owner.
     * @return the seq of the last record ever appended to the inbox, 0 if none.
     */
    long lastSeq(String userId);

    /**
     * The oldest record still stored for a user: the first seq {@link #read} would visit from
     * {@code afterSeq = 0}. Records below it were trimmed (acknowledged by every known device) or expired
     * (retention); the engine never starts a device's delivery below {@code oldestSeq - 1}, so a device
     * that logs in for the first time after a trim is not promised records that no longer exist.
     *
     * <p>The default asks {@link #lastSeq} and then {@link #read}s one record; a provider overrides it
     * when it knows the answer without reading a record.
     *
     * @param userId the inbox owner.
     * @return the seq of the oldest readable record, or {@link #lastSeq} + 1 when none is left (1 for a
     * user who never received anything).
     */
    default long oldestSeq(final String userId) {
        final long last = lastSeq(userId); // first: a record appended after it is above the answer
        final long[] first = {0};
        if (read(userId, 0, 1, (seq, buffer, offset, length) -> first[0] = seq) == 1) {
            return first[0];
        }
        return last + 1;
    }

    /**
     * @param userId   the inbox owner.
     * @param deviceId the device.
     * @return the device's cursor, 0 if the device is unknown.
     */
    long cursor(String userId, String deviceId);

    /**
     * Advances a device's cursor (cumulative acknowledgement) and trims what every known device of the
     * user has acknowledged. Makes the device known. A value above {@link #lastSeq} is clamped to it.
     *
     * @param userId   the inbox owner.
     * @param deviceId the device.
     * @param upToSeq  every record with seq at or below this was received by the device.
     */
    void ack(String userId, String deviceId, long upToSeq);

    /**
     * Records when a user was last seen online (the engine calls it when the user's last device disconnects),
     * so that presence survives a restart. The latest call wins. Durable, like a cursor, with a later
     * {@link #sync()} (a crash just after it may lose it); it survives retention (it is per user, not per record).
     *
     * <p>The default keeps nothing: a provider that does not override it (and {@link #lastSeen}) reports every
     * offline user as never seen.
     *
     * @param userId      the user.
     * @param epochMillis the time, epoch millis.
     */
    default void recordLastSeen(final String userId, final long epochMillis) {
    }

    /**
     * @param userId the user.
     * @return the time last given to {@link #recordLastSeen} for the user, 0 if none.
     */
    default long lastSeen(final String userId) {
        return 0;
    }

    /**
     * Registers the provider's own metrics (disk use, a circuit breaker's state, errors) in the instance's
     * counters registry. The engine calls it once, after creating the store and before serving; exporters then
     * read them with the engine's. Names start with {@code iris_storage_<provider>_}. A provider updates them
     * without allocating, and off the hot path where it can (when it measures anyway, on a state change).
     *
     * <p>The default registers none.
     *
     * @param counters the registry of the engine using this store.
     */
    default void registerCounters(final IrisCounters counters) {
    }

    /** Releases resources; pending appends that were never synced may be lost. */
    @Override
    void close();
}
