package io.iris.engine.flow;

import com.sun.management.GarbageCollectionNotificationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * The {@link Signal#HEAP} signal: heap in use just after the latest garbage collection, as a fraction of the
 * maximum heap. Updated by the JVM's GC notifications (the heap pools' usage after each collection), never
 * polled per SEND: {@link #getAsDouble()} is one volatile read. Starts from the pools' last collection usage.
 * Heap "after GC" ignores garbage that merely has not been collected yet, so it measures live data, which is
 * what predicts an OutOfMemoryError.
 */
public final class HeapAfterGc implements DoubleSupplier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeapAfterGc.class);

    private final Set<String> heapPools = new HashSet<>();
    private final long maxHeap;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    private volatile double fraction;

    /** Registers with the JVM's garbage collectors; {@link #close()} unregisters. */
    public HeapAfterGc() {
        this.maxHeap = Runtime.getRuntime().maxMemory();
        long used = 0;
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
                final MemoryUsage after = pool.getCollectionUsage();
                if (after != null) {
                    used += after.getUsed();
                }
            }
        }
        this.fraction = fractionOf(used);
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter) {
                final NotificationEmitter emitter = (NotificationEmitter) gc;
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
        if (emitters.isEmpty()) {
            LOG.warn("this JVM offers no GC notifications: the heap signal stays at {}", fraction);
        }
    }

    /** @return heap used after the latest GC / max heap, in [0, 1] (0 before any GC). */
    @Override
    public double getAsDouble() {
        return fraction;
    }

    private void onNotification(final Notification n, final Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        final GarbageCollectionNotificationInfo info =
            GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (final Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        fraction = fractionOf(used);
    }

    private double fractionOf(final long used) {
        return maxHeap <= 0 || maxHeap == Long.MAX_VALUE ? 0 : Math.min(1.0, (double) used / maxHeap);
    }

    /** Unregisters from the garbage collectors. Idempotent. */
    @Override
    public void close() {
        for (final NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (final ListenerNotFoundException e) {
                // already removed
            }
        }
        emitters.clear();
    }
}
