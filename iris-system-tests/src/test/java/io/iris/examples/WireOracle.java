package io.iris.examples;

import io.iris.protocol.ErrorCode;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What the server must answer to a byte stream sent on one connection, from {@code docs/protocol.md}
 * alone: a model of the server's framing (length checks before reading, limits before and after login)
 * and session rules (only LOGIN, PING and PONG before login; client frame types only; one LOGIN). It
 * predicts the one ERROR code that ends the connection; a stream that breaks no rule ends with the
 * read timeout of its phase (LOGIN_TIMEOUT before login, IDLE_TIMEOUT after).
 *
 * <p>A LOGIN succeeds in the model exactly when it offers version 1 and carries {@code validToken}
 * byte for byte (a token changed in any byte is refused: AUTH_FAILED).
 */
final class WireOracle {
    /** The predicted end of a connection. */
    record Expectation(ErrorCode code, String why) {
        @Override
        public String toString() {
            return code + " (" + why + ")";
        }
    }

    private WireOracle() {
    }

    /**
     * @param stream     every byte the client sends on the connection, in order.
     * @param loggedIn   whether the connection had already logged in (LOGIN_OK received) before {@code stream}.
     * @param validToken the token a LOGIN must carry to succeed (null: none does).
     * @param maxPayload the server's maxPayload.
     * @return the error that must close the connection.
     */
    static Expectation expect(final byte[] stream, final boolean loggedIn, final byte[] validToken,
                              final int maxPayload) {
        final UnsafeBuffer b = new UnsafeBuffer(stream);
        final FrameDecoder d = new FrameDecoder();
        boolean auth = loggedIn;
        int limit = auth ? Protocol.maxFrameAfterLogin(maxPayload) : Protocol.MAX_FRAME_BEFORE_LOGIN;
        int pos = 0;
        while (stream.length - pos >= Protocol.LENGTH_FIELD) {
            final int length = b.getInt(pos, ByteOrder.BIG_ENDIAN);
            if (length == 0) {
                return new Expectation(ErrorCode.MALFORMED_FRAME, "length 0 at " + pos);
            }
            if (length < 0 || length > limit) {
                return new Expectation(ErrorCode.FRAME_TOO_LARGE, "length " + Integer.toUnsignedString(length)
                    + " over " + limit + " at " + pos);
            }
            if (stream.length - pos - Protocol.LENGTH_FIELD < length) {
                break;
            }
            if (!d.wrap(b, pos + Protocol.LENGTH_FIELD, length)) {
                return new Expectation(ErrorCode.MALFORMED_FRAME, d.error() + " at " + pos);
            }
            final byte type = d.type();
            pos += Protocol.LENGTH_FIELD + length;
            if (type == Protocol.PING || type == Protocol.PONG) {
                continue;
            }
            if (type == Protocol.LOGIN) {
                if (auth) {
                    return new Expectation(ErrorCode.ALREADY_AUTHENTICATED, "second LOGIN");
                }
                if (Protocol.negotiate(d.minVersion(), d.maxVersion()) < 0) {
                    return new Expectation(ErrorCode.UNSUPPORTED_VERSION, "versions " + d.minVersion() + ".."
                        + d.maxVersion());
                }
                final byte[] token = new byte[d.tokenLength()];
                d.buffer().getBytes(d.tokenOffset(), token);
                if (validToken == null || !Arrays.equals(token, validToken)) {
                    return new Expectation(ErrorCode.AUTH_FAILED, "token of " + token.length + " bytes");
                }
                auth = true;
                limit = Protocol.maxFrameAfterLogin(maxPayload);
                continue;
            }
            if (!auth) {
                return new Expectation(ErrorCode.NOT_AUTHENTICATED, Protocol.typeName(type) + " before LOGIN");
            }
            switch (type) {
                case Protocol.SEND:
                case Protocol.DELIVER_ACK:
                case Protocol.PRESENCE_QUERY:
                    continue;
                default:
                    return new Expectation(ErrorCode.MALFORMED_FRAME, "client sent " + Protocol.typeName(type));
            }
        }
        final String rest = stream.length - pos + " bytes of an incomplete frame";
        return auth ? new Expectation(ErrorCode.IDLE_TIMEOUT, rest) : new Expectation(ErrorCode.LOGIN_TIMEOUT, rest);
    }
}
