package io.iris.engine.placement;

import io.iris.engine.routing.HashShard;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceAddressTest {
    @Test
    void packsNodeAndConnectionAndOnNodeZeroEqualsTheConnectionId() {
        final long connection = (123_456L << 8) | 3;
        assertThat(DeviceAddress.of(0, connection)).isEqualTo(connection);
        final long address = DeviceAddress.of(DeviceAddress.MAX_NODE, DeviceAddress.MAX_CONNECTION);
        assertThat(address).isPositive();
        assertThat(DeviceAddress.node(address)).isEqualTo(DeviceAddress.MAX_NODE);
        assertThat(DeviceAddress.connection(address)).isEqualTo(DeviceAddress.MAX_CONNECTION);
        assertThat(DeviceAddress.toString(DeviceAddress.of(7, 256))).isEqualTo("7/256");
    }

    @Test
    void refusesWhatDoesNotFit() {
        assertThatThrownBy(() -> DeviceAddress.of(DeviceAddress.MAX_NODE + 1, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node");
        assertThatThrownBy(() -> DeviceAddress.of(0, DeviceAddress.MAX_CONNECTION + 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connection");
        assertThatThrownBy(() -> DeviceAddress.of(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSingleNodePlacesEveryUserLocallyOnItsHashShard() {
        final HashShard shards = new HashShard(4);
        final Placement placement = new SingleNodePlacement(shards);
        final byte[] id = "alice".getBytes(StandardCharsets.UTF_8);
        assertThat(placement.nodeOf("alice")).isEqualTo(placement.localNode()).isZero();
        assertThat(placement.nodeOf(new UnsafeBuffer(id), 0, id.length)).isZero();
        assertThat(placement.shardOf(new UnsafeBuffer(id), 0, id.length)).isEqualTo(shards.shardOf("alice"))
            .isEqualTo(placement.shardOf("alice"));
    }
}
