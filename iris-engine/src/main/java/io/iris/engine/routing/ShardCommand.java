package io.iris.engine.routing;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Layouts of the messages I/O threads (and the embedding API) put on a shard's ring buffer. The ring's
 * message type id is one of the constants below; bodies are native-order, fields at fixed offsets then
 * length-prefixed ids. Bytes are copied into the ring: no objects cross threads on the message path.
 *
 * <pre>
 * SEND          i64 connectionId, i64 requestId, i64 clientMsgId, u8 senderLen, u8 recipientLen,
 *               i32 payloadLen, sender, recipient, payload
 * LOGIN         i64 connectionId, i64 resumeCursor, u8 userLen, u8 deviceLen, u8 version, user, device
 * LOGOUT        i64 connectionId
 * DELIVER_ACK   i64 connectionId, i64 upToSeq
 * PRESENCE      i64 connectionId, i64 requestId, u8 userLen, user
 * </pre>
 *
 * A {@code requestId} other than 0 marks a command from the embedding API: its answer completes a
 * future instead of being written to a connection.
 */
public final class ShardCommand {
    /** A message to store and route. */
    public static final int SEND = 1;
    /** A device logged in. */
    public static final int LOGIN = 2;
    /** A device's connection closed. */
    public static final int LOGOUT = 3;
    /** A device acknowledged deliveries. */
    public static final int DELIVER_ACK = 4;
    /** A presence query. */
    public static final int PRESENCE = 5;

    /** Offset of the connection id, common to every command. */
    public static final int CONNECTION_ID = 0;
    /** SEND, PRESENCE: offset of the request id. */
    public static final int REQUEST_ID = 8;
    /** SEND: offset of the client message id. */
    public static final int SEND_CLIENT_MSG_ID = 16;
    private static final int SEND_SENDER_LEN = 24;
    private static final int SEND_RECIPIENT_LEN = 25;
    private static final int SEND_PAYLOAD_LEN = 26;
    /** SEND: offset of the sender id. */
    public static final int SEND_SENDER = 30;
    /** LOGIN: offset of the resume cursor. */
    public static final int LOGIN_CURSOR = 8;
    private static final int LOGIN_USER_LEN = 16;
    private static final int LOGIN_DEVICE_LEN = 17;
    /** LOGIN: offset of the wire-protocol version negotiated with the client (for LOGIN_OK). */
    public static final int LOGIN_VERSION = 18;
    /** LOGIN: offset of the user id. */
    public static final int LOGIN_USER = 19;
    /** DELIVER_ACK: offset of the up-to seq. */
    public static final int ACK_UP_TO = 8;
    private static final int PRESENCE_USER_LEN = 16;
    /** PRESENCE: offset of the user id. */
    public static final int PRESENCE_USER = 17;

    private ShardCommand() {
    }

    /**
     * @param senderLength    sender id length.
     * @param recipientLength recipient id length.
     * @param payloadLength   payload length.
     * @return SEND body length.
     */
    public static int sendLength(final int senderLength, final int recipientLength, final int payloadLength) {
        return SEND_SENDER + senderLength + recipientLength + payloadLength;
    }

    /**
     * Writes a SEND body.
     *
     * @param b               destination.
     * @param i               body start.
     * @param connectionId    the sender's connection, 0 for the embedding API.
     * @param requestId       embedding API request, else 0.
     * @param clientMsgId     the sender's message id.
     * @param sender          holds the sender id.
     * @param senderOffset    where.
     * @param senderLength    how long.
     * @param recipient       holds the recipient id.
     * @param recipientOffset where.
     * @param recipientLength how long.
     * @param payload         holds the payload.
     * @param payloadOffset   where.
     * @param payloadLength   how long.
     */
    public static void writeSend(final MutableDirectBuffer b, final int i, final long connectionId, final long requestId,
                                 final long clientMsgId, final DirectBuffer sender, final int senderOffset,
                                 final int senderLength, final DirectBuffer recipient, final int recipientOffset,
                                 final int recipientLength, final DirectBuffer payload, final int payloadOffset,
                                 final int payloadLength) {
        b.putLong(i + CONNECTION_ID, connectionId);
        b.putLong(i + REQUEST_ID, requestId);
        b.putLong(i + SEND_CLIENT_MSG_ID, clientMsgId);
        b.putByte(i + SEND_SENDER_LEN, (byte) senderLength);
        b.putByte(i + SEND_RECIPIENT_LEN, (byte) recipientLength);
        b.putInt(i + SEND_PAYLOAD_LEN, payloadLength);
        b.putBytes(i + SEND_SENDER, sender, senderOffset, senderLength);
        b.putBytes(i + SEND_SENDER + senderLength, recipient, recipientOffset, recipientLength);
        b.putBytes(i + SEND_SENDER + senderLength + recipientLength, payload, payloadOffset, payloadLength);
    }

    /** @param b buffer @param i body start @return SEND sender id length. */
    public static int sendSenderLength(final DirectBuffer b, final int i) {
        return b.getByte(i + SEND_SENDER_LEN) & 0xFF;
    }

    /** @param b buffer @param i body start @return SEND recipient id length. */
    public static int sendRecipientLength(final DirectBuffer b, final int i) {
        return b.getByte(i + SEND_RECIPIENT_LEN) & 0xFF;
    }

    /** @param b buffer @param i body start @return SEND recipient id offset. */
    public static int sendRecipientOffset(final DirectBuffer b, final int i) {
        return i + SEND_SENDER + sendSenderLength(b, i);
    }

    /** @param b buffer @param i body start @return SEND payload length. */
    public static int sendPayloadLength(final DirectBuffer b, final int i) {
        return b.getInt(i + SEND_PAYLOAD_LEN);
    }

    /** @param b buffer @param i body start @return SEND payload offset. */
    public static int sendPayloadOffset(final DirectBuffer b, final int i) {
        return i + SEND_SENDER + sendSenderLength(b, i) + sendRecipientLength(b, i);
    }

    /**
     * @param userLength   user id length.
     * @param deviceLength device id length.
     * @return LOGIN body length.
     */
    public static int loginLength(final int userLength, final int deviceLength) {
        return LOGIN_USER + userLength + deviceLength;
    }

    /**
     * Writes a LOGIN body.
     *
     * @param b            destination.
     * @param i            body start.
     * @param connectionId the device's connection.
     * @param resumeCursor the cursor the client sent (-1 if unknown).
     * @param version      the wire-protocol version negotiated with the client.
     * @param user         user id bytes.
     * @param device       device id bytes.
     */
    public static void writeLogin(final MutableDirectBuffer b, final int i, final long connectionId,
                                  final long resumeCursor, final int version, final byte[] user,
                                  final byte[] device) {
        b.putLong(i + CONNECTION_ID, connectionId);
        b.putLong(i + LOGIN_CURSOR, resumeCursor);
        b.putByte(i + LOGIN_USER_LEN, (byte) user.length);
        b.putByte(i + LOGIN_DEVICE_LEN, (byte) device.length);
        b.putByte(i + LOGIN_VERSION, (byte) version);
        b.putBytes(i + LOGIN_USER, user);
        b.putBytes(i + LOGIN_USER + user.length, device);
    }

    /** @param b buffer @param i body start @return LOGIN user id length. */
    public static int loginUserLength(final DirectBuffer b, final int i) {
        return b.getByte(i + LOGIN_USER_LEN) & 0xFF;
    }

    /** @param b buffer @param i body start @return LOGIN device id length. */
    public static int loginDeviceLength(final DirectBuffer b, final int i) {
        return b.getByte(i + LOGIN_DEVICE_LEN) & 0xFF;
    }

    /**
     * @param userLength user id length.
     * @return PRESENCE body length.
     */
    public static int presenceLength(final int userLength) {
        return PRESENCE_USER + userLength;
    }

    /**
     * Writes a PRESENCE body.
     *
     * @param b            destination.
     * @param i            body start.
     * @param connectionId the asking connection, 0 for the embedding API.
     * @param requestId    embedding API request, else 0.
     * @param user         holds the user id asked about.
     * @param userOffset   where.
     * @param userLength   how long.
     */
    public static void writePresence(final MutableDirectBuffer b, final int i, final long connectionId,
                                     final long requestId, final DirectBuffer user, final int userOffset,
                                     final int userLength) {
        b.putLong(i + CONNECTION_ID, connectionId);
        b.putLong(i + REQUEST_ID, requestId);
        b.putByte(i + PRESENCE_USER_LEN, (byte) userLength);
        b.putBytes(i + PRESENCE_USER, user, userOffset, userLength);
    }

    /** @param b buffer @param i body start @return PRESENCE user id length. */
    public static int presenceUserLength(final DirectBuffer b, final int i) {
        return b.getByte(i + PRESENCE_USER_LEN) & 0xFF;
    }
}
