package io.iris.engine.routing;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class HashShardTest {
    @Test
    void bytesAndStringAgreeAndSpreadEvenly() {
        final HashShard shard = new HashShard(4);
        final int[] counts = new int[4];
        for (int i = 0; i < 40_000; i++) {
            final String id = "user-" + i + (i % 3 == 0 ? "é" : "");
            final byte[] b = id.getBytes(StandardCharsets.UTF_8);
            final int s = shard.shardOf(new UnsafeBuffer(b), 0, b.length);
            assertThat(shard.shardOf(id)).isEqualTo(s);
            counts[s]++;
        }
        for (final int c : counts) {
            assertThat(c).isBetween(9_000, 11_000);
        }
    }

    @Test
    void userTableFindsUsersByBytesAcrossGrowth() {
        final UserTable table = new UserTable(65_536);
        for (int i = 0; i < 5_000; i++) {
            final byte[] b = ("u" + i).getBytes(StandardCharsets.UTF_8);
            assertThat(table.getOrCreate(new UnsafeBuffer(b), 0, b.length).id).isEqualTo("u" + i);
        }
        final byte[] b = "u1234".getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer framed = new UnsafeBuffer(new byte[10]);
        framed.putBytes(3, b);
        final UserTable.User u = table.getOrCreate(framed, 3, b.length);
        assertThat(u.id).isEqualTo("u1234");
        assertThat(table.getOrCreate(framed, 3, b.length)).isSameAs(u);
        assertThat(table.size()).isEqualTo(5_000);
    }
}
