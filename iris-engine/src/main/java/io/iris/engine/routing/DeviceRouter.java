package io.iris.engine.routing;

import io.iris.protocol.ErrorCode;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import io.iris.api.storage.StorageUnavailableException;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.egress.Egress;
import io.iris.engine.inbox.StoredMessage;
import io.iris.engine.placement.DeviceAddress;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Router} of one shard. Every online device has a window: {@code nextSeq} (the next seq to
 * hand it), {@code acked} (its cumulative ack), and the bytes in flight between the two, bounded both
 * in messages ({@code window}) and in bytes ({@code windowBytes}). The byte bound is what keeps a
 * healthy reader with a large backlog from ever filling its connection's outbound buffer: the engine
 * validates {@code windowBytes} plus one maximal frame against the transport's high-water mark. Bytes
 * in flight are tracked without per-message state: an ack of everything sent resets them to zero, a
 * partial ack scales them by the fraction still unacknowledged. A durable message goes straight to
 * each device that is caught up and has room in its window; any other device is put on the pump list and gets its
 * backlog read from storage, a slice per duty cycle, as its acks open the window. So the inbox is the
 * only buffer: a slow or offline device costs no memory here, and resume after reconnect is the same
 * code path as catching up.
 *
 * <p>A device whose window is full is a consumer at its high-water mark: it holds at most its window
 * and gets nothing more until it acknowledges. If it acknowledges nothing for {@code stallTimeoutMillis}
 * (the reader stopped reading, or its application stopped acknowledging), {@link #closeStalled} closes
 * its connection with {@code SLOW_CONSUMER}; its messages stay in the inbox and are delivered again from
 * its cursor when it reconnects.
 *
 * <p>Only durable records are delivered: the shard flushes its batch before a login and before
 * {@link #pump()}, and {@link #route} is called only from a durable completion.
 */
public final class DeviceRouter implements Router {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRouter.class);
    private static final int MAX_PER_PUMP = 64;
    private static final long NOT_FULL = Long.MIN_VALUE;

    private final InboxStore store;
    private final Egress egress;
    private final EngineCounters counters;
    private final EpochClock clock;
    private final int window;
    private final long windowBytes;
    private final long stallTimeoutMillis;
    private final Object2ObjectHashMap<String, UserDevices> online = new Object2ObjectHashMap<>();
    private final Long2ObjectHashMap<Device> byAddress = new Long2ObjectHashMap<>();
    private final ArrayList<Device> pumpList = new ArrayList<>();
    /** Devices whose window was full at their last delivery (may have recovered since; checked lazily). */
    private final ArrayList<Device> fullList = new ArrayList<>();
    private final ExpandableDirectByteBuffer frame = new ExpandableDirectByteBuffer(1024);
    private final InboxVisitor pumpVisitor = this::onBacklogRecord;
    private Device pumping;

    /**
     * @param store    the shard's store, for backlog reads and cursor updates.
     * @param egress   sends frames to device addresses.
     * @param clock    time for last-seen (recorded in the store when a user's last device goes offline).
     * @param window      the most delivered-but-unacknowledged messages per device, at least 1.
     * @param windowBytes the most bytes of delivered-but-unacknowledged frames per device (one frame is
     *                    always allowed when nothing is in flight), at least 1.
     * @param stallTimeoutMillis how long a device may sit at a full window without acknowledging anything
     *                    before its connection is closed with {@code SLOW_CONSUMER}; 0 = never.
     * @param counters    where deliveries, stalled closes and storage errors are counted.
     */
    public DeviceRouter(final InboxStore store, final Egress egress, final EpochClock clock, final int window,
                        final long windowBytes, final long stallTimeoutMillis, final EngineCounters counters) {
        if (window < 1 || windowBytes < 1) {
            throw new IllegalArgumentException("delivery window must be at least 1 message and 1 byte: "
                + window + ", " + windowBytes);
        }
        if (stallTimeoutMillis < 0) {
            throw new IllegalArgumentException("stall timeout must be >= 0 (0 = never), was " + stallTimeoutMillis);
        }
        this.stallTimeoutMillis = stallTimeoutMillis == 0 ? Long.MAX_VALUE : stallTimeoutMillis;
        this.store = store;
        this.egress = egress;
        this.counters = counters;
        this.clock = clock;
        this.window = window;
        this.windowBytes = windowBytes;
    }

    @Override
    public void online(final String userId, final String deviceId, final long device, final long cursor,
                       final long lastSeq) {
        UserDevices user = online.get(userId);
        if (user == null) {
            user = new UserDevices(lastSeq);
            online.put(userId, user);
        } else {
            for (int i = 0; i < user.count; i++) {
                final Device d = user.devices[i];
                if (d.deviceId.equals(deviceId)) {
                    if (DeviceAddress.node(d.address) == DeviceAddress.node(device) && d.address > device) {
                        // This login comes from a connection accepted BEFORE the one registered (on the same
                        // node, where connection ids grow): a stale login (e.g. the client gave up on that
                        // connection and reconnected, and the server read both in the other order). The newer
                        // connection keeps the device.
                        egress.close(device, ErrorCode.DEVICE_REPLACED, "device logged in on a newer connection");
                        return;
                    }
                    egress.close(d.address, ErrorCode.DEVICE_REPLACED, "device logged in on another connection");
                    byAddress.remove(d.address);
                    user.remove(d);
                    d.connected = false;
                    break;
                }
            }
        }
        final Device added = new Device(userId, deviceId, device, user, cursor, clock.time());
        user.add(added);
        byAddress.put(device, added);
        if (added.nextSeq <= user.durableLastSeq) {
            queue(added);
        }
    }

    @Override
    public void offline(final long device) {
        final Device d = byAddress.remove(device);
        if (d == null) {
            return;
        }
        d.connected = false;
        d.user.remove(d);
        if (d.user.count == 0) {
            online.remove(d.userId);
            try {
                store.recordLastSeen(d.userId, clock.time());
            } catch (final RuntimeException e) {
                counters.storageError();
                LOG.warn("last seen of {} not stored: {}", d.userId, e.toString());
            }
        }
    }

    @Override
    public void acked(final long device, final long upToSeq) {
        final Device d = byAddress.get(device);
        if (d == null) {
            return;
        }
        final long upTo = Math.min(upToSeq, d.nextSeq - 1);
        if (upTo <= d.acked) {
            return;
        }
        final long unackedBefore = d.nextSeq - 1 - d.acked;
        final long unackedAfter = d.nextSeq - 1 - upTo;
        d.inflightBytes = unackedAfter == 0 ? 0 : d.inflightBytes * unackedAfter / unackedBefore;
        d.acked = upTo;
        d.fullSinceMillis = hasRoom(d) ? NOT_FULL : clock.time(); // progress restarts the stall clock
        store.ack(d.userId, d.deviceId, upTo);
        if (d.nextSeq <= d.user.durableLastSeq) {
            queue(d);
        }
    }

    @Override
    public int route(final String userId, final long seq, final DirectBuffer message, final int offset,
                     final int length) {
        final UserDevices user = online.get(userId);
        if (user == null) {
            return 0;
        }
        if (seq > user.durableLastSeq) {
            user.durableLastSeq = seq;
        }
        int handed = 0;
        for (int i = 0; i < user.count; i++) {
            final Device d = user.devices[i];
            if (d.nextSeq == seq && hasRoom(d)) {
                deliver(d, seq, message, offset);
                handed++;
            } else if (d.nextSeq <= seq) {
                queue(d);
            }
        }
        return handed;
    }

    @Override
    public int pump() {
        int delivered = 0;
        int kept = 0;
        for (int i = 0; i < pumpList.size(); i++) {
            final Device d = pumpList.get(i);
            if (d.connected) {
                final long room = window - (d.nextSeq - 1 - d.acked);
                final long available = d.user.durableLastSeq - d.nextSeq + 1;
                final int n = (int) Math.min(Math.min(room, available), MAX_PER_PUMP);
                if (n > 0) {
                    pumping = d;
                    final long before = d.nextSeq;
                    final int read;
                    try {
                        read = store.read(d.userId, d.nextSeq - 1, n, pumpVisitor);
                    } catch (final StorageUnavailableException e) {
                        // the backlog cannot be read now (e.g. a durable store that stopped after a failed
                        // sync): hand the device back to its client, which reconnects and resumes from its
                        // cursor later, instead of failing here again on every duty cycle
                        pumping = null;
                        delivered += (int) (d.nextSeq - before);
                        counters.storageError();
                        egress.close(d.address, ErrorCode.INTERNAL, "storage unavailable, retry later");
                        d.queued = false;
                        continue;
                    }
                    if (read == 0) {
                        d.nextSeq = d.user.durableLastSeq + 1; // nothing left to read (trimmed)
                    }
                    pumping = null;
                    delivered += (int) (d.nextSeq - before);
                }
                final boolean more = d.nextSeq <= d.user.durableLastSeq && hasRoom(d);
                if (more) {
                    pumpList.set(kept++, d);
                    continue;
                }
            }
            d.queued = false;
        }
        for (int i = pumpList.size() - 1; i >= kept; i--) {
            pumpList.remove(i);
        }
        return delivered;
    }

    @Override
    public boolean isOnline(final String userId) {
        return online.containsKey(userId);
    }

    @Override
    public long lastSeen(final String userId) {
        if (online.containsKey(userId)) {
            return clock.time();
        }
        try {
            return store.lastSeen(userId); // kept in storage: survives a restart, costs this shard no memory
        } catch (final RuntimeException e) {
            counters.storageError();
            LOG.warn("last seen of {} unavailable: {}", userId, e.toString());
            return 0;
        }
    }

    /**
     * @param userId a user of this shard.
     * @return a snapshot of the user's online device sessions (empty when none).
     */
    public List<DeviceSession> sessions(final String userId) {
        final UserDevices user = online.get(userId);
        if (user == null) {
            return List.of();
        }
        final List<DeviceSession> sessions = new ArrayList<>(user.count);
        for (int i = 0; i < user.count; i++) {
            final Device d = user.devices[i];
            sessions.add(new DeviceSession(d.deviceId, DeviceAddress.node(d.address),
                DeviceAddress.connection(d.address), d.connectedSinceMillis, d.acked, user.durableLastSeq));
        }
        return sessions;
    }

    /**
     * Closes device sessions of a user: ERROR(code, text) to each, and each is offline at once (its LOGOUT,
     * arriving later, finds nothing). Messages stay in the inbox; the device resumes from its cursor.
     *
     * @param userId   a user of this shard.
     * @param deviceId the one device to close, or null for every device of the user.
     * @param code     the ERROR code sent.
     * @param text     the ERROR text sent.
     * @return sessions closed.
     */
    public int disconnect(final String userId, final String deviceId, final ErrorCode code, final String text) {
        final UserDevices user = online.get(userId);
        if (user == null) {
            return 0;
        }
        final long[] addresses = new long[user.count];
        int n = 0;
        for (int i = 0; i < user.count; i++) {
            if (deviceId == null || user.devices[i].deviceId.equals(deviceId)) {
                addresses[n++] = user.devices[i].address;
            }
        }
        for (int i = 0; i < n; i++) {
            egress.close(addresses[i], code, text);
            offline(addresses[i]);
        }
        return n;
    }

    /** @return devices online on this shard. */
    public int onlineDevices() {
        return byAddress.size();
    }

    private void onBacklogRecord(final long seq, final DirectBuffer buffer, final int offset, final int length) {
        final Device d = pumping;
        if (seq < d.nextSeq || seq > d.user.durableLastSeq || !hasRoom(d)) {
            return; // read again later, once acks make room
        }
        deliver(d, seq, buffer, offset);
    }

    private boolean hasRoom(final Device d) {
        return d.nextSeq - 1 - d.acked < window && d.inflightBytes < windowBytes;
    }

    private void deliver(final Device d, final long seq, final DirectBuffer record, final int at) {
        final int len = FrameEncoder.deliver(frame, 0, seq,
            record, StoredMessage.senderOffset(at), StoredMessage.senderLength(record, at),
            StoredMessage.storedAt(record, at),
            record, StoredMessage.payloadOffset(record, at), StoredMessage.payloadLength(record, at));
        egress.send(d.address, frame, 0, len);
        counters.delivered();
        d.nextSeq = seq + 1;
        d.inflightBytes += len;
        if (d.fullSinceMillis == NOT_FULL && !hasRoom(d)) {
            d.fullSinceMillis = clock.time();
            if (!d.inFullList) {
                d.inFullList = true;
                fullList.add(d);
            }
        }
    }

    /**
     * Closes, with {@code SLOW_CONSUMER}, the connection of every device that has sat at a full window
     * without acknowledging anything for the stall timeout. Called by the shard a few times a second;
     * costs nothing per device that is not at its window.
     *
     * @param nowMillis the router's clock.
     * @return connections closed.
     */
    public int closeStalled(final long nowMillis) {
        int closed = 0;
        int kept = 0;
        for (int i = 0; i < fullList.size(); i++) {
            final Device d = fullList.get(i);
            if (d.connected && d.fullSinceMillis != NOT_FULL) {
                if (nowMillis - d.fullSinceMillis < stallTimeoutMillis) {
                    fullList.set(kept++, d);
                    continue;
                }
                egress.close(d.address, ErrorCode.SLOW_CONSUMER, "delivery window full with no "
                    + "acknowledgement for " + stallTimeoutMillis + " ms");
                counters.stalledConsumerClosed();
                offline(d.address);
                closed++;
            }
            d.inFullList = false;
        }
        for (int i = fullList.size() - 1; i >= kept; i--) {
            fullList.remove(i);
        }
        return closed;
    }

    private void queue(final Device d) {
        if (!d.queued) {
            d.queued = true;
            pumpList.add(d);
        }
    }

    /** One logged-in device. */
    private static final class Device {
        final String userId;
        final String deviceId;
        /** The device session's {@link DeviceAddress}. */
        final long address;
        final UserDevices user;
        long acked;
        long nextSeq;
        long inflightBytes;
        /** Clock time when the window last became full with no ack since, else {@link #NOT_FULL}. */
        long fullSinceMillis = NOT_FULL;
        boolean queued;
        boolean inFullList;
        boolean connected = true;
        /** Clock time of the login. */
        final long connectedSinceMillis;

        Device(final String userId, final String deviceId, final long address, final UserDevices user,
               final long cursor, final long connectedSinceMillis) {
            this.connectedSinceMillis = connectedSinceMillis;
            this.userId = userId;
            this.deviceId = deviceId;
            this.address = address;
            this.user = user;
            this.acked = cursor;
            this.nextSeq = cursor + 1;
        }
    }

    /** The online devices of one user, and the newest durable seq of the user's inbox. */
    private static final class UserDevices {
        Device[] devices = new Device[2];
        int count;
        long durableLastSeq;

        UserDevices(final long durableLastSeq) {
            this.durableLastSeq = durableLastSeq;
        }

        void add(final Device d) {
            if (count == devices.length) {
                devices = java.util.Arrays.copyOf(devices, count * 2);
            }
            devices[count++] = d;
        }

        void remove(final Device d) {
            for (int i = 0; i < count; i++) {
                if (devices[i] == d) {
                    devices[i] = devices[--count];
                    devices[count] = null;
                    return;
                }
            }
        }
    }
}
