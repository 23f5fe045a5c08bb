package io.iris.engine.durability;

import org.agrona.DirectBuffer;

/**
 * Group commit over the storage SPI: appends accumulate in a batch; {@link #flush} makes the whole
 * batch durable with one {@code sync} and only then reports each append as durable, in append order.
 * Nothing may be acknowledged to a sender before its completion is reported.
 *
 * <p>One instance per shard, used by that shard's thread only. The batch is bounded: when
 * {@link #isFull()} the caller must flush before appending more.
 */
public interface DurableBatcher {
    /**
     * Appends a record to a user's inbox as part of the current batch (see
     * {@link io.iris.api.storage.InboxStore#append} for the dedup key). A repeated key is part of the batch
     * too: it is reported with {@link Completion#onDuplicate} after the flush, so its answer never
     * overtakes the durability of the original.
     *
     * @param userId      the inbox owner.
     * @param senderId    the sender (dedup key).
     * @param clientMsgId the sender's message id (dedup key).
     * @param record      the record.
     * @param offset      where it starts.
     * @param length      its length.
     * @param token       opaque caller value handed back on completion.
     * @return the seq assigned to the record (not durable yet), or minus the original's seq for a repeat.
     * @throws io.iris.api.storage.StorageUnavailableException if the store refused the append; the record
     *                                                         is not part of the batch.
     */
    long append(String userId, String senderId, long clientMsgId, DirectBuffer record, int offset, int length,
                long token);

    /** @return the number of appends waiting for the next flush. */
    int pending();

    /** @return true when the batch reached its configured maximum and must be flushed. */
    boolean isFull();

    /**
     * Syncs the store once and reports every pending append, in order, to {@code completion}. The
     * record buffer handed to the completion is valid only during the call.
     *
     * @param completion receives each outcome.
     * @return the number of appends reported.
     */
    int flush(Completion completion);

    /** Outcome of each append of a flushed batch. */
    interface Completion {
        /**
         * The record is durable.
         *
         * @param userId the inbox owner.
         * @param seq    its seq.
         * @param token  the caller's token.
         * @param record the record.
         * @param offset where it starts.
         * @param length its length.
         */
        void onDurable(String userId, long seq, long token, DirectBuffer record, int offset, int length);

        /**
         * The append was a repeat of a stored message; the batch's sync succeeded.
         *
         * @param userId      the inbox owner.
         * @param originalSeq the seq the original was stored under.
         * @param token       the caller's token.
         */
        void onDuplicate(String userId, long originalSeq, long token);

        /**
         * The sync failed: the record may or may not survive, and must not be acknowledged.
         *
         * @param userId the inbox owner.
         * @param seq    the seq it was given.
         * @param token  the caller's token.
         * @param cause  why.
         */
        void onFailed(String userId, long seq, long token, RuntimeException cause);
    }
}
