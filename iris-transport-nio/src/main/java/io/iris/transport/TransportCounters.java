package io.iris.transport;

import io.iris.api.counters.IrisCounters;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The transport's counters in its {@link IrisCounters} registry. Transport-wide ones are published by each
 * event loop once per duty cycle (a delta added, so several loops share one counter); per-listener ones
 * ({@link Group}, label {@code listener}: a listener's name or an outbound connection's
 * {@link ConnectOptions#name()}) are moved with atomic increments by whichever thread the event happens on.
 * All updates are allocation-free. Counters are allocated when the transport (or a group) is made and freed
 * when the transport closes.
 */
final class TransportCounters {
    final AtomicCounter bytesRead;
    final AtomicCounter bytesWritten;
    final AtomicCounter unsentBytes;
    final AtomicCounter loopErrors;

    private final IrisCounters registry;
    private final List<AtomicCounter> allocated = new ArrayList<>();
    private final Map<String, Group> groups = new HashMap<>();

    /** Counters of the connections of one listener, or of the outbound connections with one name. */
    static final class Group {
        private final AtomicCounter open;
        private final AtomicCounter opened;
        private final AtomicCounter closed;
        private final AtomicCounter slowConsumer;
        private final AtomicCounter refusedAddressCap;
        private final AtomicCounter refusedAddressRate;

        private Group(final TransportCounters t, final String name) {
            open = t.add(t.registry.gauge("iris_transport_connections_open", "open connections", "listener", name));
            opened = t.add(t.registry.counter("iris_transport_connections_opened_total",
                "connections accepted (listeners) or established (outbound)", "listener", name));
            closed = t.add(t.registry.counter("iris_transport_connections_closed_total", "connections closed",
                "listener", name));
            slowConsumer = t.add(t.registry.counter("iris_transport_slow_consumer_closes_total",
                "connections closed with SLOW_CONSUMER because their unsent output passed the write policy's limit",
                "listener", name));
            refusedAddressCap = t.add(t.registry.counter("iris_transport_connections_refused_total",
                "connections refused with TOO_MANY_CONNECTIONS by a per-address limit", "listener", name,
                "reason", "address_cap"));
            refusedAddressRate = t.add(t.registry.counter("iris_transport_connections_refused_total",
                "connections refused with TOO_MANY_CONNECTIONS by a per-address limit", "listener", name,
                "reason", "address_rate"));
        }

        void opened() {
            open.increment();
            opened.increment();
        }

        void closed() {
            open.decrement();
            closed.increment();
        }

        void slowConsumer() {
            slowConsumer.increment();
        }

        void refusedByAddressCap() {
            refusedAddressCap.increment();
        }

        void refusedByAddressRate() {
            refusedAddressRate.increment();
        }
    }

    TransportCounters(final IrisCounters registry) {
        this.registry = registry;
        bytesRead = add(registry.counter("iris_transport_read_bytes_total", "bytes read from sockets"));
        bytesWritten = add(registry.counter("iris_transport_written_bytes_total", "bytes written to sockets"));
        unsentBytes = add(registry.gauge("iris_transport_unsent_bytes",
            "bytes written to connections and not yet taken by their sockets"));
        loopErrors = add(registry.counter("iris_transport_loop_errors_total",
            "unexpected errors of event loops (logged; the loop carries on)"));
    }

    /**
     * @param name the group's {@code listener} label.
     * @return the group of that name, made on first use.
     */
    synchronized Group group(final String name) {
        return groups.computeIfAbsent(name, n -> new Group(this, n));
    }

    /** Frees every counter (the transport closed). */
    synchronized void free() {
        for (final AtomicCounter c : allocated) {
            registry.free(c);
        }
        allocated.clear();
    }

    private AtomicCounter add(final AtomicCounter counter) {
        allocated.add(counter);
        return counter;
    }
}
