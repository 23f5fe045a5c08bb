package io.iris.protocol;

/**
 * What the engine answered to one send.
 *
 * @param status          the outcome; only {@link SendStatus#isStored()} outcomes were stored.
 * @param seq             the recipient-inbox sequence number assigned to the message, or 0 if not stored.
 * @param serverTimeMillis the server's clock (epoch millis) when it answered.
 * @param retryAfterMillis for retryable statuses, how long to wait before retrying; otherwise 0.
 */
public record SendReceipt(SendStatus status, long seq, long serverTimeMillis, long retryAfterMillis) {
}
