package io.iris.engine.fakes;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import io.iris.protocol.SendStatus;
import io.iris.transport.protocol.FrameDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Server frames as short strings, so tests can compare what a device received in one assertion. */
public final class Frames {
    private Frames() {
    }

    /**
     * @param buffer holds one frame, length prefix included.
     * @param offset where it starts.
     * @param length its length with the prefix.
     * @return e.g. {@code SEND_ACK 7 STORED seq=1}, {@code DELIVER seq=1 from=alice hi},
     * {@code LOGIN_OK cursor=0 last=0}.
     */
    public static String describe(final DirectBuffer buffer, final int offset, final int length) {
        final FrameDecoder d = new FrameDecoder();
        assertThat(d.wrap(buffer, offset + Protocol.LENGTH_FIELD, length - Protocol.LENGTH_FIELD))
            .as("%s", d.error()).isTrue();
        assertThat(Protocol.LENGTH_FIELD + d.buffer().getInt(offset, ByteOrder.BIG_ENDIAN))
            .as("one whole frame").isEqualTo(length);
        switch (d.type()) {
            case Protocol.LOGIN_OK:
                return "LOGIN_OK cursor=" + d.cursor() + " last=" + d.lastSeq();
            case Protocol.SEND_ACK:
                return "SEND_ACK " + d.clientMsgId() + " " + SendStatus.fromCode(d.code()) + " seq=" + d.seq()
                    + (d.retryAfterMillis() > 0 ? " retry" : "");
            case Protocol.DELIVER:
                return "DELIVER seq=" + d.seq() + " from=" + d.id() + " "
                    + new String(d.payload(), StandardCharsets.UTF_8);
            case Protocol.PRESENCE:
                return "PRESENCE " + d.id() + " online=" + d.online();
            case Protocol.ERROR:
                return "ERROR " + ErrorCode.fromCode(d.code());
            case Protocol.PONG:
                return "PONG";
            default:
                return Protocol.typeName(d.type());
        }
    }
}
