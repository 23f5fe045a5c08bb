package io.iris.transport.limit;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressConnectionCountsTest {
    @Test
    void countsUpToTheCapAndDownAgain() throws Exception {
        final AddressConnectionCounts counts = new AddressConnectionCounts(2);
        final AddressKey a = AddressKey.of(InetAddress.getByName("127.0.0.1"));
        final AddressKey b = AddressKey.of(InetAddress.getByName("::1"));
        assertThat(counts.tryAcquire(a)).isTrue();
        assertThat(counts.tryAcquire(a)).isTrue();
        assertThat(counts.tryAcquire(a)).as("at the cap").isFalse();
        assertThat(counts.count(a)).as("a refusal counts nothing").isEqualTo(2);
        assertThat(counts.tryAcquire(b)).isTrue();
        assertThat(counts.addresses()).isEqualTo(2);
        counts.release(a);
        assertThat(counts.tryAcquire(a)).as("a slot was freed").isTrue();
        counts.release(a);
        counts.release(a);
        counts.release(b);
        assertThat(counts.count(a)).isZero();
        assertThat(counts.addresses()).as("addresses without open connections are forgotten").isZero();
        assertThatThrownBy(() -> counts.release(a)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("127.0.0.1");
        assertThatThrownBy(() -> new AddressConnectionCounts(0)).hasMessageContaining("maxPerAddress");
    }

    @Test
    void holdsOnlyAddressesWithOpenConnections() throws Exception {
        final AddressConnectionCounts counts = new AddressConnectionCounts(3);
        final Random random = new Random(7);
        final byte[] v4 = new byte[4];
        final List<AddressKey> open = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(v4);
            final AddressKey key = AddressKey.of(InetAddress.getByAddress(v4));
            if (counts.tryAcquire(key)) {
                open.add(key);
            }
            if (open.size() > 100) { // connections come and go: at most ~100 open at once
                counts.release(open.remove(random.nextInt(open.size())));
            }
            assertThat(counts.addresses()).isLessThanOrEqualTo(open.size());
        }
        for (final AddressKey key : open) {
            counts.release(key);
        }
        assertThat(counts.addresses()).isZero();
    }
}
