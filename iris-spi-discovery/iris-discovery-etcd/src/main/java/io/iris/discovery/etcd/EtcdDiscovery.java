package io.iris.discovery.etcd;

import io.iris.api.discovery.Member;
import io.iris.api.discovery.SourceDiscovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Membership from an etcd key prefix, and this node's registration there.
 *
 * <p>Why it is built this way: a watch tells that something changed, a range read tells what the
 * prefix holds. The watch thread therefore never applies events one by one: each watch message with
 * events triggers a fresh range read of the whole prefix, and that complete list is what is published
 * (so a list is never partial, and a missed or compacted event cannot leave a stale member behind). The
 * watch starts at the revision after the read, so nothing between the read and the watch is missed. When
 * etcd cannot be reached (the read or the watch fails), the last good list stays, the failure is counted,
 * and the thread retries with a doubling backoff up to {@code discovery.etcd.maxBackoffMillis}.
 *
 * <p>Registration: a second thread grants a lease of {@code leaseTtlSeconds}, puts
 * {@code <prefix><id> = id@host:port} with it and keeps it alive every third of the TTL. If etcd says the
 * lease is gone (it expired during an outage), the thread registers again with a new lease; if the lease
 * lives but the key is missing from the list (deleted by hand), it puts the key back. A killed
 * node stops its keepalives and its key vanishes with the lease; {@link #close()} revokes the lease so
 * the key goes at once.
 *
 * <p>Threads: {@code iris-discovery-etcd-watch} and, with {@code discovery.self},
 * {@code iris-discovery-etcd-lease}; both end on {@link #close()}. The JDK HTTP client's own threads
 * end when the client is collected (JDK 17 has no {@code HttpClient.close()}).
 */
final class EtcdDiscovery extends SourceDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdDiscovery.class);

    private final EtcdDiscoveryProvider.Settings settings;
    private final EtcdClient client;
    private final CountDownLatch registered = new CountDownLatch(1);
    private volatile InputStream watchStream;
    private volatile long lease;

    private EtcdDiscovery(final EtcdDiscoveryProvider.Settings settings) {
        super("discovery=etcd (" + settings.endpointsText() + " " + settings.prefix() + ")");
        this.settings = settings;
        this.client = new EtcdClient(settings.endpoints(), settings.timeout());
    }

    /**
     * Starts watching (and registering) and waits up to the start timeout for the first list and, with
     * {@code discovery.self}, the first registration.
     *
     * @throws IllegalStateException naming {@code discovery.etcd.endpoints} if etcd did not answer in time.
     */
    static EtcdDiscovery start(final EtcdDiscoveryProvider.Settings settings) {
        final EtcdDiscovery discovery = new EtcdDiscovery(settings);
        discovery.startThread("iris-discovery-etcd-watch", discovery::watchLoop);
        if (settings.self().isPresent()) {
            discovery.startThread("iris-discovery-etcd-lease", discovery::leaseLoop);
        }
        discovery.awaitStart(settings.startTimeoutMillis(), settings.self().isPresent() ? discovery.registered : null,
            "discovery=etcd: no answer from " + EtcdDiscoveryProvider.KEY_ENDPOINTS + "=" + settings.endpointsText()
                + " within " + EtcdDiscoveryProvider.KEY_START_TIMEOUT + "=" + settings.startTimeoutMillis() + " ms");
        return discovery;
    }

    @Override
    protected void stopping() {
        closeWatchStream();
    }

    @Override
    protected void stopped() {
        final long id = lease;
        if (id != 0) {
            try {
                client.revoke(id);
            } catch (final IOException e) {
                LOG.warn("discovery=etcd: could not revoke lease " + id + " on close (its key goes"
                    + " when the lease expires): " + e);
            }
        }
    }

    private void watchLoop() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!isClosed()) {
            try {
                final long revision = list();
                backoff = FIRST_BACKOFF_MILLIS;
                final InputStream stream = client.watch(settings.prefix(), revision + 1);
                watchStream = stream;
                if (isClosed()) {
                    closeWatchStream();
                    return;
                }
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null && !isClosed(); line = lines.readLine()) {
                        final EtcdClient.WatchLine kind = EtcdClient.watchLine(line);
                        if (kind == EtcdClient.WatchLine.EVENTS) {
                            list();
                        } else if (kind == EtcdClient.WatchLine.ENDED) {
                            break;
                        }
                    }
                }
                if (!isClosed()) {
                    // the watch ended (canceled, compacted, or etcd went away): read again and watch again
                    membership().sourceFailed("watch", new IOException("watch stream of " + client.endpoint() + " ended"));
                }
            } catch (final IOException | RuntimeException e) {
                if (isClosed()) {
                    return;
                }
                membership().sourceFailed("watch", e);
            }
            if (!isClosed()) {
                pause(backoff);
                backoff = nextBackoff(backoff, settings.maxBackoffMillis());
            }
        }
    }

    /** Reads the whole prefix and publishes it; returns the revision read. */
    private long list() throws IOException {
        final EtcdClient.Listing listing = client.range(settings.prefix());
        final List<Member> members = new ArrayList<>();
        for (final EtcdClient.KeyValue kv : listing.kvs()) {
            final String id = kv.key().substring(settings.prefix().length());
            try {
                final Member m = Member.parse(kv.value());
                if (m.id().equals(id)) {
                    members.add(m);
                    continue;
                }
            } catch (final IllegalArgumentException malformed) {
                // reported below
            }
            LOG.warn("discovery=etcd: ignoring key " + kv.key() + " = '" + kv.value()
                + "': not '" + id + "@host:port'");
        }
        membership().update(members);
        return listing.revision();
    }

    private void leaseLoop() {
        final Member self = settings.self().orElseThrow();
        final String key = settings.prefix() + self.id();
        final long interval = Math.max(500, TimeUnit.SECONDS.toMillis(settings.leaseTtlSeconds()) / 3);
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!isClosed()) {
            long wait = interval;
            try {
                if (lease == 0 || !client.keepAlive(lease)) {
                    if (lease != 0) {
                        LOG.warn("discovery=etcd: lease " + lease + " of " + key
                            + " expired; registering again");
                    }
                    final long id = client.grant(settings.leaseTtlSeconds());
                    client.put(key, self.toString(), id);
                    lease = id;
                    registered.countDown();
                } else if (membership().isSourceReachable() && !members().contains(self)) {
                    // the lease lives but the key is gone (deleted by hand): put it back
                    client.put(key, self.toString(), lease);
                }
                membership().sourceAnswered();
                backoff = FIRST_BACKOFF_MILLIS;
            } catch (final IOException | RuntimeException e) {
                if (isClosed()) {
                    return;
                }
                membership().sourceFailed("lease keepalive", e);
                wait = Math.min(backoff, interval);
                backoff = nextBackoff(backoff, settings.maxBackoffMillis());
            }
            pause(wait);
        }
    }

    private void closeWatchStream() {
        final InputStream stream = watchStream;
        if (stream != null) {
            try {
                stream.close();
            } catch (final IOException ignored) {
                // closing to cancel
            }
        }
    }
}
