package io.iris.examples;

import io.iris.api.counters.IrisCounters;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.Member;
import io.iris.api.discovery.MembershipListener;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Discovery} that also keeps the discovery metrics of the instance's registry:
 * {@code iris_discovery_members} (set on every membership change), {@code iris_discovery_source_reachable}
 * (1 or 0) and {@code iris_discovery_source_errors_total}. The provider reports the last two by method
 * ({@link Discovery#isSourceReachable()}, {@link Discovery#sourceErrors()}), so one daemon thread copies them into
 * the registry every {@link #REFRESH_MILLIS} ms; closing stops it and the provider.
 */
final class DiscoveryCounters implements Discovery {
    /** How often the provider's reachability and error count are copied into the registry. */
    static final long REFRESH_MILLIS = 1000;

    private final Discovery delegate;
    private final AtomicCounter reachable;
    private final AtomicCounter errors;
    private final ScheduledExecutorService refresher;

    DiscoveryCounters(final Discovery delegate, final IrisCounters counters) {
        this.delegate = delegate;
        final AtomicCounter members = counters.gauge("iris_discovery_members", "Cluster members discovery sees.");
        this.reachable = counters.gauge("iris_discovery_source_reachable",
            "1 while the discovery source answers, 0 after a failed attempt.");
        this.errors = counters.counter("iris_discovery_source_errors_total",
            "Failed attempts to read the discovery source or renew this node's registration.");
        delegate.subscribe(list -> members.setOrdered(list.size()));
        refresh();
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "iris-discovery-counters");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        reachable.setOrdered(delegate.isSourceReachable() ? 1 : 0);
        errors.setOrdered(delegate.sourceErrors());
    }

    @Override
    public List<Member> members() {
        return delegate.members();
    }

    @Override
    public void subscribe(final MembershipListener listener) {
        delegate.subscribe(listener);
    }

    @Override
    public boolean isSourceReachable() {
        return delegate.isSourceReachable();
    }

    @Override
    public long sourceErrors() {
        return delegate.sourceErrors();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        delegate.close();
    }
}
