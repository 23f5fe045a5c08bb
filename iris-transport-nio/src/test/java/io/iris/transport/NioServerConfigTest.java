package io.iris.transport;

import io.iris.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NioServerConfigTest {
    private static final NioServerConfig D = NioServerConfig.defaults();
    private static final NioTransportConfig T = NioTransportConfig.defaults();

    @Test
    void hasTheDocumentedDefaults() {
        assertThat(D.host()).as("loopback unless configured").isEqualTo("127.0.0.1");
        assertThat(D.port()).isZero();
        assertThat(T.ioThreads()).isEqualTo(1);
        assertThat(D.maxConnections()).isEqualTo(10_000);
        assertThat(D.loginTimeoutMillis()).isEqualTo(10_000);
        assertThat(D.outboundHighWaterMark()).isEqualTo(4 * 1024 * 1024);
        assertThat(T.commandQueueBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(T.counters()).as("a private registry unless given").isNull();
        assertThat(D.writePolicy().closesAtHighWaterMark()).as("clients are closed at the mark").isTrue();
        assertThat(D.name()).isEqualTo("client");
        assertThat(D.maxFrameBeforeLogin()).isEqualTo(Protocol.MAX_FRAME_BEFORE_LOGIN);
        assertThat(D.socketReceiveBuffer()).isZero();
        assertThat(D.socketSendBuffer()).isZero();
        assertThat(D.goawayReconnectMillis()).isEqualTo(1000);
    }

    @Test
    void withersReturnChangedCopies() {
        final NioServerConfig c = D.withHost("127.0.0.1").withPort(7000).withMaxConnections(5)
            .withLoginTimeoutMillis(0).withOutboundHighWaterMark(1024)
            .withMaxFrameBeforeLogin(100).withSocketReceiveBuffer(4096).withSocketSendBuffer(8192)
            .withGoawayReconnectMillis(0);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(7000);
        assertThat(c.maxConnections()).isEqualTo(5);
        assertThat(c.loginTimeoutMillis()).isZero();
        assertThat(c.outboundHighWaterMark()).isEqualTo(1024);
        assertThat(c.maxFrameBeforeLogin()).isEqualTo(100);
        assertThat(c.socketReceiveBuffer()).isEqualTo(4096);
        assertThat(c.socketSendBuffer()).isEqualTo(8192);
        assertThat(c.goawayReconnectMillis()).isZero();
        assertThat(D.port()).as("defaults unchanged").isZero();
        assertThat(c.toString()).contains("maxConnections=5");
        final NioTransportConfig t = T.withIoThreads(4).withCommandQueueBytes(1 << 16);
        assertThat(t.ioThreads()).isEqualTo(4);
        assertThat(t.commandQueueBytes()).isEqualTo(1 << 16);
        assertThat(T.ioThreads()).as("defaults unchanged").isEqualTo(1);
        assertThat(t.toString()).contains("ioThreads=4");
    }

    @Test
    void rejectsBadValuesNamingTheField() {
        rejects(() -> D.withHost(""), "host");
        rejects(() -> D.withHost(null), "host");
        rejects(() -> D.withPort(-1), "port");
        rejects(() -> D.withPort(65_536), "port");
        rejects(() -> D.withMaxConnections(0), "maxConnections");
        rejects(() -> D.withLoginTimeoutMillis(-1), "loginTimeoutMillis");
        rejects(() -> D.withOutboundHighWaterMark(0), "outboundHighWaterMark");
        rejectsT(() -> T.withIoThreads(0), "ioThreads");
        rejectsT(() -> T.withIoThreads(257), "ioThreads");
        rejectsT(() -> T.withCommandQueueBytes(3000 * 1024), "commandQueueBytes");
        rejectsT(() -> T.withCommandQueueBytes(2048), "commandQueueBytes");
        rejects(() -> D.withName(""), "name");
        rejects(() -> D.withMaxFrameBeforeLogin(0), "maxFrameBeforeLogin");
        rejects(() -> D.withSocketReceiveBuffer(-1), "socketReceiveBuffer");
        rejects(() -> D.withSocketSendBuffer(-1), "socketSendBuffer");
        rejects(() -> D.withGoawayReconnectMillis(-1), "goawayReconnectMillis");
    }

    @Test
    void writePolicyAndConnectOptionsValidateNamingTheField() {
        assertThat(WritePolicy.clientDefault().closesAtHighWaterMark()).isTrue();
        assertThat(WritePolicy.clientDefault().hardLimit()).isEqualTo(4 * 1024 * 1024);
        final WritePolicy link = WritePolicy.waterMarks(1, 2, 3);
        assertThat(link.closesAtHighWaterMark()).isFalse();
        assertThat(link.lowWaterMark()).isEqualTo(1);
        assertThat(link.highWaterMark()).isEqualTo(2);
        assertThat(link.hardLimit()).isEqualTo(3);
        assertThat(D.withWritePolicy(link).writePolicy()).isSameAs(link);
        assertThatThrownBy(() -> WritePolicy.closeAtHighWaterMark(0)).hasMessageStartingWith("highWaterMark");
        assertThatThrownBy(() -> WritePolicy.waterMarks(-1, 2, 3)).hasMessageStartingWith("low water mark");
        assertThatThrownBy(() -> WritePolicy.waterMarks(2, 2, 3)).hasMessageStartingWith("high water mark");
        assertThatThrownBy(() -> WritePolicy.waterMarks(1, 4, 3)).hasMessageStartingWith("hard limit");

        final ConnectOptions o = ConnectOptions.defaults();
        assertThat(o.writePolicy()).as("links get water marks").isSameAs(WritePolicy.linkDefault());
        assertThat(o.tls()).isNull();
        assertThat(o.connectTimeoutMillis()).isEqualTo(ConnectOptions.DEFAULT_CONNECT_TIMEOUT_MILLIS);
        final ConnectOptions c = o.withName("peer").withConnectTimeoutMillis(5).withMaxInboundFrame(9)
            .withReadTimeoutMillis(7).withSocketBuffers(1, 2);
        assertThat(c.name()).isEqualTo("peer");
        assertThat(c.connectTimeoutMillis()).isEqualTo(5);
        assertThat(c.maxInboundFrame()).isEqualTo(9);
        assertThat(c.readTimeoutMillis()).isEqualTo(7);
        assertThat(c.socketReceiveBuffer()).isEqualTo(1);
        assertThat(c.socketSendBuffer()).isEqualTo(2);
        assertThat(o.name()).as("defaults unchanged").isEqualTo(ConnectOptions.DEFAULT_NAME);
        assertThatThrownBy(() -> o.withConnectTimeoutMillis(0)).hasMessageStartingWith("connectTimeoutMillis");
        assertThatThrownBy(() -> o.withName(" ")).hasMessageStartingWith("name");
        assertThatThrownBy(() -> o.withMaxInboundFrame(0)).hasMessageStartingWith("maxInboundFrame");
        assertThatThrownBy(() -> o.withReadTimeoutMillis(-1)).hasMessageStartingWith("readTimeoutMillis");
    }

    private static void rejectsT(final Supplier<NioTransportConfig> build, final String field) {
        assertThatThrownBy(build::get).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(field);
    }

    private static void rejects(final Supplier<NioServerConfig> build, final String field) {
        assertThatThrownBy(build::get).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(field);
    }
}
