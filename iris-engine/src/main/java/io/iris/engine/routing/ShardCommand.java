package io.iris.engine.routing;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Layouts of the commands that enter a shard's ring buffer through the
 * {@link io.iris.engine.ingress.Ingress}. The ring's message type id is one of the constants below; bodies
 * are native-order, fixed fields at named offsets, then the length-prefixed ids. Bytes are copied into the
 * ring: no objects cross threads on the message path.
 *
 * <pre>
 * SEND          i64 origin, i64 clientMsgId, u8 originKind, u8 senderLen, u8 recipientLen, i32 payloadLen,
 *               sender, recipient, payload
 * LOGIN         i64 device, i64 resumeCursor, u8 userLen, u8 deviceLen, u8 version, user, device id
 * LOGOUT        i64 device
 * DELIVER_ACK   i64 device, i64 upToSeq
 * PRESENCE      i64 origin, u8 originKind, u8 userLen, user
 * SESSIONS      i64 request, u8 userLen, u8 deviceLen, user, device id (unused: deviceLen 0)
 * DISCONNECT    i64 request, u8 userLen, u8 deviceLen, user, device id (deviceLen 0: every device)
 * </pre>
 *
 * SESSIONS and DISCONNECT are the admin API's ({@link io.iris.engine.admin.AdminApi}): always answered to a
 * {@link PendingRequests} request id of this node, never to a client.
 *
 * {@code device} is a {@link io.iris.engine.placement.DeviceAddress}; {@code origin} and {@code originKind}
 * say who waits for the answer ({@link ReplyOrigin}).
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
    /** Admin: list a user's device sessions. */
    public static final int SESSIONS = 6;
    /** Admin: close a user's device sessions (one device, or all). */
    public static final int DISCONNECT = 7;

    /** LOGIN, LOGOUT, DELIVER_ACK: offset of the device address. */
    public static final int DEVICE = 0;
    /** SEND, PRESENCE: offset of the reply origin's value. */
    public static final int ORIGIN = 0;
    /** SEND: offset of the client message id. */
    public static final int SEND_CLIENT_MSG_ID = 8;
    /** SEND: offset of the reply origin's kind. */
    public static final int SEND_ORIGIN_KIND = 16;
    private static final int SEND_SENDER_LEN = 17;
    private static final int SEND_RECIPIENT_LEN = 18;
    private static final int SEND_PAYLOAD_LEN = 19;
    /** SEND: offset of the sender id. */
    public static final int SEND_SENDER = 23;
    /** LOGIN: offset of the resume cursor. */
    public static final int LOGIN_CURSOR = 8;
    private static final int LOGIN_USER_LEN = 16;
    private static final int LOGIN_DEVICE_LEN = 17;
    /** LOGIN: offset of the wire-protocol version negotiated with the client (for LOGIN_OK). */
    public static final int LOGIN_VERSION = 18;
    /** LOGIN: offset of the user id. */
    public static final int LOGIN_USER = 19;
    /** LOGOUT: body length. */
    public static final int LOGOUT_LENGTH = 8;
    /** DELIVER_ACK: offset of the up-to seq. */
    public static final int ACK_UP_TO = 8;
    /** DELIVER_ACK: body length. */
    public static final int ACK_LENGTH = 16;
    /** PRESENCE: offset of the reply origin's kind. */
    public static final int PRESENCE_ORIGIN_KIND = 8;
    private static final int PRESENCE_USER_LEN = 9;
    /** PRESENCE: offset of the user id. */
    public static final int PRESENCE_USER = 10;
    /** SESSIONS, DISCONNECT: offset of the request id ({@link PendingRequests}). */
    public static final int ADMIN_REQUEST = 0;
    private static final int ADMIN_USER_LEN = 8;
    private static final int ADMIN_DEVICE_LEN = 9;
    /** SESSIONS, DISCONNECT: offset of the user id (the device id follows it). */
    public static final int ADMIN_USER = 10;

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
     * @param buffer          destination.
     * @param offset          body start.
     * @param originKind      who waits for the SEND_ACK ({@link ReplyOrigin}).
     * @param origin          the origin's value.
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
    public static void writeSend(final MutableDirectBuffer buffer, final int offset, final byte originKind,
                                 final long origin, final long clientMsgId, final DirectBuffer sender,
                                 final int senderOffset, final int senderLength, final DirectBuffer recipient,
                                 final int recipientOffset, final int recipientLength, final DirectBuffer payload,
                                 final int payloadOffset, final int payloadLength) {
        buffer.putLong(offset + ORIGIN, origin);
        buffer.putLong(offset + SEND_CLIENT_MSG_ID, clientMsgId);
        buffer.putByte(offset + SEND_ORIGIN_KIND, originKind);
        buffer.putByte(offset + SEND_SENDER_LEN, (byte) senderLength);
        buffer.putByte(offset + SEND_RECIPIENT_LEN, (byte) recipientLength);
        buffer.putInt(offset + SEND_PAYLOAD_LEN, payloadLength);
        buffer.putBytes(offset + SEND_SENDER, sender, senderOffset, senderLength);
        buffer.putBytes(offset + SEND_SENDER + senderLength, recipient, recipientOffset, recipientLength);
        buffer.putBytes(offset + SEND_SENDER + senderLength + recipientLength, payload, payloadOffset, payloadLength);
    }

    /** @param buffer holds the body @param offset body start @return SEND sender id length. */
    public static int sendSenderLength(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + SEND_SENDER_LEN) & 0xFF;
    }

    /** @param buffer holds the body @param offset body start @return SEND recipient id length. */
    public static int sendRecipientLength(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + SEND_RECIPIENT_LEN) & 0xFF;
    }

    /** @param buffer holds the body @param offset body start @return SEND recipient id offset. */
    public static int sendRecipientOffset(final DirectBuffer buffer, final int offset) {
        return offset + SEND_SENDER + sendSenderLength(buffer, offset);
    }

    /** @param buffer holds the body @param offset body start @return SEND payload length. */
    public static int sendPayloadLength(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + SEND_PAYLOAD_LEN);
    }

    /** @param buffer holds the body @param offset body start @return SEND payload offset. */
    public static int sendPayloadOffset(final DirectBuffer buffer, final int offset) {
        return offset + SEND_SENDER + sendSenderLength(buffer, offset) + sendRecipientLength(buffer, offset);
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
     * @param buffer       destination.
     * @param offset       body start.
     * @param device       the device's address.
     * @param resumeCursor the cursor the client sent (-1 if unknown).
     * @param version      the wire-protocol version negotiated with the client.
     * @param user         user id bytes.
     * @param deviceId     device id bytes.
     */
    public static void writeLogin(final MutableDirectBuffer buffer, final int offset, final long device,
                                  final long resumeCursor, final int version, final byte[] user,
                                  final byte[] deviceId) {
        buffer.putLong(offset + DEVICE, device);
        buffer.putLong(offset + LOGIN_CURSOR, resumeCursor);
        buffer.putByte(offset + LOGIN_USER_LEN, (byte) user.length);
        buffer.putByte(offset + LOGIN_DEVICE_LEN, (byte) deviceId.length);
        buffer.putByte(offset + LOGIN_VERSION, (byte) version);
        buffer.putBytes(offset + LOGIN_USER, user);
        buffer.putBytes(offset + LOGIN_USER + user.length, deviceId);
    }

    /** @param buffer holds the body @param offset body start @return LOGIN user id length. */
    public static int loginUserLength(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + LOGIN_USER_LEN) & 0xFF;
    }

    /** @param buffer holds the body @param offset body start @return LOGIN device id length. */
    public static int loginDeviceLength(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + LOGIN_DEVICE_LEN) & 0xFF;
    }

    /**
     * Writes a LOGOUT body.
     *
     * @param buffer destination.
     * @param offset body start.
     * @param device the device's address.
     * @return the body length.
     */
    public static int writeLogout(final MutableDirectBuffer buffer, final int offset, final long device) {
        buffer.putLong(offset + DEVICE, device);
        return LOGOUT_LENGTH;
    }

    /**
     * Writes a DELIVER_ACK body.
     *
     * @param buffer  destination.
     * @param offset  body start.
     * @param device  the device's address.
     * @param upToSeq the cumulative ack.
     * @return the body length.
     */
    public static int writeAck(final MutableDirectBuffer buffer, final int offset, final long device,
                               final long upToSeq) {
        buffer.putLong(offset + DEVICE, device);
        buffer.putLong(offset + ACK_UP_TO, upToSeq);
        return ACK_LENGTH;
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
     * @param buffer     destination.
     * @param offset     body start.
     * @param originKind who waits for the answer ({@link ReplyOrigin}).
     * @param origin     the origin's value.
     * @param user       holds the user id asked about.
     * @param userOffset where.
     * @param userLength how long.
     * @return the body length.
     */
    public static int writePresence(final MutableDirectBuffer buffer, final int offset, final byte originKind,
                                    final long origin, final DirectBuffer user, final int userOffset,
                                    final int userLength) {
        buffer.putLong(offset + ORIGIN, origin);
        buffer.putByte(offset + PRESENCE_ORIGIN_KIND, originKind);
        buffer.putByte(offset + PRESENCE_USER_LEN, (byte) userLength);
        buffer.putBytes(offset + PRESENCE_USER, user, userOffset, userLength);
        return presenceLength(userLength);
    }

    /** @param buffer holds the body @param offset body start @return PRESENCE user id length. */
    public static int presenceUserLength(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + PRESENCE_USER_LEN) & 0xFF;
    }

    /**
     * @param userLength   user id length.
     * @param deviceLength device id length (0: none).
     * @return SESSIONS or DISCONNECT body length.
     */
    public static int adminLength(final int userLength, final int deviceLength) {
        return ADMIN_USER + userLength + deviceLength;
    }

    /**
     * Writes a SESSIONS or DISCONNECT body.
     *
     * @param buffer   destination.
     * @param offset   body start.
     * @param request  the request id the answer completes ({@link PendingRequests}).
     * @param user     user id bytes.
     * @param deviceId device id bytes; empty for none (DISCONNECT: every device of the user).
     * @return the body length.
     */
    public static int writeAdmin(final MutableDirectBuffer buffer, final int offset, final long request,
                                 final byte[] user, final byte[] deviceId) {
        buffer.putLong(offset + ADMIN_REQUEST, request);
        buffer.putByte(offset + ADMIN_USER_LEN, (byte) user.length);
        buffer.putByte(offset + ADMIN_DEVICE_LEN, (byte) deviceId.length);
        buffer.putBytes(offset + ADMIN_USER, user);
        buffer.putBytes(offset + ADMIN_USER + user.length, deviceId);
        return adminLength(user.length, deviceId.length);
    }

    /** @param buffer holds the body @param offset body start @return SESSIONS/DISCONNECT user id length. */
    public static int adminUserLength(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + ADMIN_USER_LEN) & 0xFF;
    }

    /** @param buffer holds the body @param offset body start @return SESSIONS/DISCONNECT device id length. */
    public static int adminDeviceLength(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + ADMIN_DEVICE_LEN) & 0xFF;
    }
}
