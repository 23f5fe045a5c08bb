package io.iris.engine.routing;

import io.iris.protocol.ErrorCode;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import io.iris.api.storage.StorageUnavailableException;
import io.iris.api.counters.IrisCounters;
import io.iris.engine.ForwardingInboxStore;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.egress.TransportEgress;
import io.iris.engine.fakes.RecordingSink;
import io.iris.engine.inbox.StoredMessage;
import io.iris.storage.memory.MemoryInboxStore;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DeviceRouterTest {
    private static final EngineCounters COUNTERS = new EngineCounters(new IrisCounters(), 1);
    private final MemoryInboxStore store = new MemoryInboxStore();
    private final RecordingSink sink = new RecordingSink();
    private static final long STALL_MILLIS = 5_000;
    private long now = 1_000;
    private final DeviceRouter router = new DeviceRouter(store, egress(), () -> now, 3, 1 << 20, STALL_MILLIS,
        COUNTERS);
    private final ExpandableArrayBuffer record = new ExpandableArrayBuffer();
    private long msgId;

    private TransportEgress egress() {
        return new TransportEgress(0, sink, 1 << 16, COUNTERS);
    }

    /** Logs a device in as the shard does: with the inbox's last seq it read for the login. */
    private void online(final DeviceRouter r, final String user, final String device, final long address,
                        final long cursor) {
        r.online(user, device, address, cursor, store.lastSeq(user));
    }

    /** Appends like the shard does, then routes as the durable completion does. */
    private void storeAndRoute(final String to, final String text) {
        final UnsafeBuffer sender = new UnsafeBuffer("sam".getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer payload = new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
        final int len = StoredMessage.write(record, 0, now, 1, sender, 0, 3, payload, 0, payload.capacity());
        final long seq = store.append(to, "sam", ++msgId, record, 0, len);
        router.route(to, seq, record, 0, len);
    }

    @Test
    void deliversLiveMessagesWithinTheWindowThenPumpsAfterAcks() {
        online(router, "bob", "phone", 7, 0);
        for (int i = 1; i <= 5; i++) {
            storeAndRoute("bob", "m" + i);
        }
        assertThat(sink.take()).containsExactly("7:DELIVER seq=1 from=sam m1",
            "7:DELIVER seq=2 from=sam m2", "7:DELIVER seq=3 from=sam m3");
        assertThat(router.pump()).isZero(); // window full
        router.acked(7, 2);
        assertThat(store.cursor("bob", "phone")).isEqualTo(2);
        router.pump();
        assertThat(sink.take()).containsExactly("7:DELIVER seq=4 from=sam m4", "7:DELIVER seq=5 from=sam m5");
    }

    @Test
    void resumesFromTheCursorGapFreeAndInOrder() {
        for (int i = 1; i <= 4; i++) {
            storeAndRoute("bob", "m" + i); // bob offline: nothing delivered
        }
        assertThat(sink.take()).isEmpty();
        online(router, "bob", "phone", 9, 1);
        router.pump();
        assertThat(sink.take()).containsExactly("9:DELIVER seq=2 from=sam m2",
            "9:DELIVER seq=3 from=sam m3", "9:DELIVER seq=4 from=sam m4");
        storeAndRoute("bob", "m5"); // window (3) full: waits in the inbox
        assertThat(sink.take()).isEmpty();
        router.acked(9, 4);
        router.pump();
        assertThat(sink.take()).containsExactly("9:DELIVER seq=5 from=sam m5");
    }

    @Test
    void everyDeviceOfTheUserGetsItsOwnCopyAndCursor() {
        online(router, "bob", "phone", 1, 0);
        online(router, "bob", "laptop", 2, 0);
        storeAndRoute("bob", "hi");
        assertThat(sink.take()).containsExactlyInAnyOrder("1:DELIVER seq=1 from=sam hi", "2:DELIVER seq=1 from=sam hi");
        router.acked(1, 1);
        assertThat(store.cursor("bob", "phone")).isEqualTo(1);
        assertThat(store.cursor("bob", "laptop")).isZero();
    }

    @Test
    void sameDeviceOnANewConnectionReplacesTheOld() {
        online(router, "bob", "phone", 1, 0);
        online(router, "bob", "phone", 2, 0);
        assertThat(sink.take()).containsExactly("1:close " + ErrorCode.DEVICE_REPLACED);
        storeAndRoute("bob", "x");
        assertThat(sink.take()).containsExactly("2:DELIVER seq=1 from=sam x");
        router.offline(1); // the old connection's late logout changes nothing
        assertThat(router.isOnline("bob")).isTrue();
    }

    @Test
    void aDeviceAtAFullWindowThatAcknowledgesNothingIsClosedAfterTheStallTimeout() {
        online(router, "bob", "phone", 7, 0);
        online(router, "eve", "phone", 8, 0);
        for (int i = 1; i <= 5; i++) {
            storeAndRoute("bob", "m" + i);
        }
        storeAndRoute("eve", "e1"); // eve's window (3) is not full: she is never a stalled consumer
        sink.take();
        now += STALL_MILLIS - 1;
        assertThat(router.closeStalled(now)).isZero();
        router.acked(7, 1); // progress restarts bob's clock; delivery refills the window
        router.pump();
        assertThat(sink.take()).containsExactly("7:DELIVER seq=4 from=sam m4");
        now += STALL_MILLIS - 1;
        assertThat(router.closeStalled(now)).isZero();
        now += 1;
        assertThat(router.closeStalled(now)).isEqualTo(1);
        assertThat(sink.take()).containsExactly("7:close " + ErrorCode.SLOW_CONSUMER);
        assertThat(router.isOnline("bob")).isFalse();
        storeAndRoute("bob", "m6"); // kept in the inbox, not sent to the closed connection
        assertThat(sink.take()).isEmpty();
        now += 10 * STALL_MILLIS;
        assertThat(router.closeStalled(now)).isZero(); // eve, never at her window, stays
        assertThat(router.isOnline("eve")).isTrue();

        online(router, "bob", "phone", 9, store.cursor("bob", "phone")); // back: resumes after its ack
        router.pump();
        assertThat(sink.take()).containsExactly("9:DELIVER seq=2 from=sam m2",
            "9:DELIVER seq=3 from=sam m3", "9:DELIVER seq=4 from=sam m4");
    }

    @Test
    void aDeviceThatAcknowledgesEverythingLeavesTheStallWatch() {
        online(router, "bob", "phone", 7, 0);
        for (int i = 1; i <= 3; i++) {
            storeAndRoute("bob", "m" + i);
        }
        router.acked(7, 3);
        now += 100 * STALL_MILLIS;
        assertThat(router.closeStalled(now)).isZero();
        assertThat(router.isOnline("bob")).isTrue();
    }

    @Test
    void aStaleLoginFromAnOlderConnectionDoesNotReplaceTheNewerOne() {
        online(router, "bob", "phone", 20, 0); // the connection accepted later logged in first
        online(router, "bob", "phone", 10, 0); // then the older one's LOGIN is processed
        assertThat(sink.take()).containsExactly("10:close " + ErrorCode.DEVICE_REPLACED);
        storeAndRoute("bob", "x");
        assertThat(sink.take()).containsExactly("20:DELIVER seq=1 from=sam x");
        router.offline(10); // the stale connection's logout changes nothing
        assertThat(router.isOnline("bob")).isTrue();
        storeAndRoute("bob", "y");
        assertThat(sink.take()).containsExactly("20:DELIVER seq=2 from=sam y");
    }

    @Test
    void presenceAndLastSeen() {
        assertThat(router.isOnline("bob")).isFalse();
        assertThat(router.lastSeen("bob")).isZero();
        online(router, "bob", "phone", 1, 0);
        now = 5_000;
        assertThat(router.isOnline("bob")).isTrue();
        assertThat(router.lastSeen("bob")).isEqualTo(5_000);
        router.offline(1);
        now = 9_000;
        assertThat(router.isOnline("bob")).isFalse();
        assertThat(router.lastSeen("bob")).isEqualTo(5_000);
    }

    @Test
    void theByteWindowBoundsWhatIsInFlightWhateverTheMessageCount() {
        final DeviceRouter small = new DeviceRouter(store, egress(), () -> now, 1000, 100, 0, COUNTERS);
        online(small, "carl", "phone", 4, 0);
        final String big = "x".repeat(60); // each DELIVER frame is about 90 bytes
        for (int i = 1; i <= 5; i++) {
            final UnsafeBuffer sender = new UnsafeBuffer("sam".getBytes(StandardCharsets.UTF_8));
            final UnsafeBuffer payload = new UnsafeBuffer((big + i).getBytes(StandardCharsets.UTF_8));
            final int len = StoredMessage.write(record, 0, now, i, sender, 0, 3, payload, 0, payload.capacity());
            final long seq = store.append("carl", "sam", 100 + i, record, 0, len);
            small.route("carl", seq, record, 0, len);
        }
        assertThat(sink.take()).hasSize(2); // under 100 bytes in flight allows a second frame, not a third
        small.acked(4, 2); // everything sent was acked: the byte window empties
        small.pump();
        assertThat(sink.take()).extracting(f -> f.split("seq=")[1].split(" ")[0]).containsExactly("3", "4");
        small.acked(4, 3); // half acked: half the bytes stay in flight, still under the bound
        small.pump();
        assertThat(sink.take()).extracting(f -> f.split("seq=")[1].split(" ")[0]).containsExactly("5");
    }

    @Test
    void acksBeyondWhatWasDeliveredAreClamped() {
        online(router, "bob", "phone", 1, 0);
        storeAndRoute("bob", "a");
        router.acked(1, 99);
        assertThat(store.cursor("bob", "phone")).isEqualTo(1);
    }

    @Test
    void aDeviceWhoseBacklogCannotBeReadIsClosedInsteadOfFailingEveryDutyCycle() {
        final boolean[] broken = {false};
        final InboxStore failing = new ForwardingInboxStore(store) {
            @Override
            public int read(final String u, final long after, final int max, final InboxVisitor visitor) {
                if (broken[0]) {
                    throw new StorageUnavailableException("store stopped", null);
                }
                return delegate.read(u, after, max, visitor);
            }
        };
        final DeviceRouter r = new DeviceRouter(failing, egress(), () -> now, 3, 1 << 20, 0, COUNTERS);
        final UnsafeBuffer sender = new UnsafeBuffer("sam".getBytes(StandardCharsets.UTF_8));
        final int len = StoredMessage.write(record, 0, now, 1, sender, 0, 3, sender, 0, 3);
        store.append("bob", "sam", 1, record, 0, len);
        store.append("bob", "sam", 2, record, 0, len);
        broken[0] = true;
        online(r, "bob", "phone", 9, 0); // behind: its backlog is to be read from storage
        assertThat(r.pump()).isZero();
        assertThat(sink.take()).containsExactly("9:close INTERNAL");
        assertThat(r.pump()).as("not retried on every duty cycle").isZero();
        assertThat(sink.take()).isEmpty();
    }

    @Test
    void sessionsSnapshotTheUsersDevicesWithCursorAndBacklog() {
        for (int i = 1; i <= 4; i++) {
            storeAndRoute("bob", "m" + i);
        }
        now = 2_000;
        online(router, "bob", "phone", 7, 1);
        now = 3_000;
        online(router, "bob", "laptop", 8, 4);
        assertThat(router.sessions("bob")).containsExactly(
            new DeviceSession("phone", 0, 7, 2_000, 1, 4), new DeviceSession("laptop", 0, 8, 3_000, 4, 4));
        assertThat(router.sessions("bob").get(0).backlog()).isEqualTo(3);
        router.pump(); // seq 2..4 to the phone
        router.acked(7, 3);
        assertThat(router.sessions("bob").get(0).cursor()).isEqualTo(3);
        assertThat(router.sessions("bob").get(0).backlog()).isEqualTo(1);
        assertThat(router.sessions("alice")).isEmpty();
    }

    @Test
    void disconnectClosesOneDeviceOrAllAndTakesThemOffline() {
        online(router, "bob", "phone", 7, 0);
        online(router, "bob", "laptop", 8, 0);
        online(router, "bob", "tablet", 9, 0);
        sink.take();
        assertThat(router.disconnect("bob", "laptop", ErrorCode.AUTH_FAILED, "bye")).isEqualTo(1);
        assertThat(sink.take()).containsExactly("8:close " + ErrorCode.AUTH_FAILED);
        assertThat(router.sessions("bob")).extracting(DeviceSession::deviceId).containsExactlyInAnyOrder("phone", "tablet");
        assertThat(router.disconnect("bob", "laptop", ErrorCode.AUTH_FAILED, "bye")).isZero();
        assertThat(router.disconnect("bob", null, ErrorCode.AUTH_FAILED, "bye")).isEqualTo(2);
        assertThat(sink.take()).containsExactlyInAnyOrder("7:close " + ErrorCode.AUTH_FAILED,
            "9:close " + ErrorCode.AUTH_FAILED);
        assertThat(router.isOnline("bob")).isFalse();
        assertThat(router.onlineDevices()).isZero();
        assertThat(router.disconnect("bob", null, ErrorCode.AUTH_FAILED, "bye")).isZero();
    }
}
