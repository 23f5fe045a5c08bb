package io.iris.api.storage;

import org.agrona.DirectBuffer;

/** Receives the records of an inbox read, in seq order. */
@FunctionalInterface
public interface InboxVisitor {
    /**
     * @param seq    the record's sequence number.
     * @param buffer holds the record; valid only during this call.
     * @param offset where the record starts.
     * @param length the record's length.
     */
    void onRecord(long seq, DirectBuffer buffer, int offset, int length);
}
