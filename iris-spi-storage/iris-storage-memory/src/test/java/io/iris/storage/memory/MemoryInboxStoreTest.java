package io.iris.storage.memory;

import io.iris.api.spi.Providers;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;
import io.iris.api.IrisConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryInboxStoreTest {
    private final MemoryInboxStore store = new MemoryInboxStore(4);
    private long nextMsgId = 1;

    private long append(final String user, final String text) {
        return append(user, "sender", nextMsgId++, text);
    }

    private long append(final String user, final String sender, final long msgId, final String text) {
        final byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return store.append(user, sender, msgId, new UnsafeBuffer(b), 0, b.length);
    }

    private List<String> readAll(final String user, final long after) {
        final List<String> out = new ArrayList<>();
        store.read(user, after, Integer.MAX_VALUE, (seq, buf, off, len) ->
            out.add(seq + ":" + buf.getStringWithoutLengthUtf8(off, len)));
        return out;
    }

    @Test
    void seqStartsAtOneAndIncreasesPerUser() {
        assertThat(append("a", "x")).isEqualTo(1);
        assertThat(append("a", "y")).isEqualTo(2);
        assertThat(append("b", "z")).isEqualTo(1);
        assertThat(store.lastSeq("a")).isEqualTo(2);
        assertThat(store.lastSeq("nobody")).isZero();
    }

    @Test
    void readsFromCursorInOrderAndHonoursMax() {
        for (int i = 1; i <= 20; i++) {
            append("a", "m" + i);
        }
        assertThat(readAll("a", 17)).containsExactly("18:m18", "19:m19", "20:m20");
        final List<Long> seqs = new ArrayList<>();
        assertThat(store.read("a", 0, 5, (seq, b, o, l) -> seqs.add(seq))).isEqualTo(5);
        assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void trimsOnlyWhatEveryKnownDeviceAcked() {
        for (int i = 1; i <= 10; i++) {
            append("a", "m" + i);
        }
        store.ack("a", "phone", 0);
        store.ack("a", "laptop", 7);
        assertThat(store.size("a")).isEqualTo(10);
        store.ack("a", "phone", 4);
        assertThat(store.size("a")).isEqualTo(6);
        assertThat(readAll("a", 0)).first().isEqualTo("5:m5");
        assertThat(store.cursor("a", "laptop")).isEqualTo(7);
        store.ack("a", "laptop", 3); // cursors never move back
        assertThat(store.cursor("a", "laptop")).isEqualTo(7);
        store.ack("a", "phone", 99); // clamped to lastSeq
        assertThat(store.cursor("a", "phone")).isEqualTo(10);
        assertThat(store.size("a")).isEqualTo(3);
        assertThat(append("a", "next")).isEqualTo(11);
    }

    @Test
    void growsPastInitialCapacityWithWrapAround() {
        for (int i = 1; i <= 5; i++) {
            append("a", "m" + i);
        }
        store.ack("a", "d", 4);
        for (int i = 6; i <= 100; i++) {
            append("a", "m" + i);
        }
        final List<String> all = readAll("a", 0);
        assertThat(all).hasSize(96);
        assertThat(all.get(0)).isEqualTo("5:m5");
        assertThat(all.get(95)).isEqualTo("100:m100");
    }

    @Test
    void repeatedDedupKeyStoresNothingAndReturnsTheOriginalSeqNegated() {
        assertThat(append("a", "s1", 7, "x")).isEqualTo(1);
        assertThat(append("a", "s1", 7, "x again")).isEqualTo(-1);
        assertThat(append("a", "s2", 7, "other sender")).isEqualTo(2);
        assertThat(append("b", "s1", 7, "other inbox")).isEqualTo(1);
        assertThat(readAll("a", 0)).containsExactly("1:x", "2:other sender");
    }

    @Test
    void dedupWindowForgetsTheOldestKeysFirst() {
        // window of 4 appends
        for (int i = 1; i <= 5; i++) {
            assertThat(append("a", "s", i, "m" + i)).isEqualTo(i);
        }
        assertThat(append("a", "s", 1, "m1")).as("key 1 fell out of the window").isEqualTo(6);
        assertThat(append("a", "s", 5, "m5")).isEqualTo(-5);
    }

    @Test
    void foundByNameThroughServiceLoader() {
        final InboxStore s = Providers.load(StorageProvider.class, "memory").create(IrisConfig.empty());
        assertThat(s).isInstanceOf(MemoryInboxStore.class);
        assertThatThrownBy(() -> Providers.load(StorageProvider.class, "nope"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("found: memory");
    }

    @Test
    void closedStoreRefusesWrites() {
        store.close();
        assertThatThrownBy(() -> append("a", "x")).isInstanceOf(IllegalStateException.class);
    }
}
