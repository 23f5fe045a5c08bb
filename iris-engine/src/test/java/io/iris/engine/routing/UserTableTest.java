package io.iris.engine.routing;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link UserTable}: a bounded cache of interned user ids. */
class UserTableTest {
    @Test
    void oneHundredThousandDistinctIdsStayWithinTheBound() {
        final UserTable table = new UserTable(1000);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 100_000; i++) {
            final byte[] id = ("recipient-" + i).getBytes(StandardCharsets.UTF_8);
            buffer.putBytes(0, id);
            assertThat(table.getOrCreate(buffer, 0, id.length).id).isEqualTo("recipient-" + i);
            assertThat(table.size()).isLessThanOrEqualTo(1000);
        }
        assertThat(table.capacity()).as("slots").isLessThanOrEqualTo(4096);
        assertThat(table.clears()).isEqualTo(99);
    }

    @Test
    void findNeverCreatesAndAnEmptiedTableRefills() {
        final UserTable table = new UserTable(2);
        final UnsafeBuffer a = new UnsafeBuffer("a".getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer b = new UnsafeBuffer("b".getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer c = new UnsafeBuffer("c".getBytes(StandardCharsets.UTF_8));
        assertThat(table.find(a, 0, 1)).isNull();
        final UserTable.User ua = table.getOrCreate(a, 0, 1);
        assertThat(table.find(a, 0, 1)).isSameAs(ua);
        table.getOrCreate(b, 0, 1);
        table.getOrCreate(c, 0, 1); // full: emptied, then c
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.find(a, 0, 1)).isNull();
        assertThat(table.getOrCreate(a, 0, 1).id).isEqualTo("a");
        assertThatThrownBy(() -> new UserTable(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
