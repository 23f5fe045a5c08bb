package io.iris.discovery.dns;

import io.iris.api.discovery.Member;
import io.iris.api.discovery.SourceDiscovery;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Membership from DNS, re-resolved on an interval.
 *
 * <p>Why it is built this way: DNS answers are a snapshot with a TTL, not a stream of changes, so one
 * thread ({@code iris-discovery-dns}) resolves the whole list (the SRV records, then each target's
 * A and AAAA records) and publishes it complete, then waits {@code intervalMillis}, or less when the
 * records' smallest TTL is shorter (never less than a second unless the interval itself is). Queries
 * go straight to the configured servers with no cache in between, so a change is seen within one
 * period plus the servers' own caching.
 *
 * <p>A resolver hiccup must never empty the cluster: a timeout, a SERVFAIL or REFUSED answer, and also
 * an answer with no usable member (NXDOMAIN, no records, targets without addresses) keep the last good
 * list; the failure is counted and logged once per outage, and the query is retried with a doubling
 * backoff (100 ms up to {@code maxBackoffMillis}). To really shrink the cluster, remove records; to
 * retire it, stop the nodes.
 */
final class DnsDiscovery extends SourceDiscovery {
    private static final long MIN_TTL_PERIOD_MILLIS = 1000;

    private final DnsDiscoveryProvider.Settings settings;
    private final Resolver resolver;

    private DnsDiscovery(final DnsDiscoveryProvider.Settings settings) {
        super("discovery=dns (" + settings.name() + " " + settings.mode().name() + " via " + settings.serversText() + ")");
        this.settings = settings;
        this.resolver = resolver(settings);
    }

    static DnsDiscovery start(final DnsDiscoveryProvider.Settings settings) {
        final DnsDiscovery discovery = new DnsDiscovery(settings);
        discovery.startThread("iris-discovery-dns", discovery::run);
        discovery.awaitStart(settings.startTimeoutMillis(), null, "discovery=dns: no usable answer for "
            + DnsDiscoveryProvider.KEY_NAME + "=" + settings.name() + " from " + DnsDiscoveryProvider.KEY_SERVERS + "="
            + settings.serversText() + " within " + DnsDiscoveryProvider.KEY_START_TIMEOUT + "="
            + settings.startTimeoutMillis() + " ms");
        return discovery;
    }

    private static Resolver resolver(final DnsDiscoveryProvider.Settings settings) {
        final Duration timeout = Duration.ofMillis(settings.timeoutMillis());
        final Resolver resolver;
        if (settings.servers().isEmpty()) {
            resolver = new ExtendedResolver();
        } else if (settings.servers().size() == 1) {
            resolver = new SimpleResolver(settings.servers().get(0));
        } else {
            final List<Resolver> each = new ArrayList<>();
            for (final InetSocketAddress server : settings.servers()) {
                each.add(new SimpleResolver(server));
            }
            resolver = new ExtendedResolver(each);
        }
        resolver.setTimeout(timeout);
        return resolver;
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!isClosed()) {
            long wait;
            try {
                final Resolution resolution = resolve();
                membership().update(resolution.members);
                backoff = FIRST_BACKOFF_MILLIS;
                wait = Math.min(settings.intervalMillis(),
                    Math.max(MIN_TTL_PERIOD_MILLIS, TimeUnit.SECONDS.toMillis(resolution.minTtlSeconds)));
            } catch (final IOException | RuntimeException e) {
                if (isClosed()) {
                    return;
                }
                membership().sourceFailed("resolve", e);
                wait = backoff;
                backoff = nextBackoff(backoff, settings.maxBackoffMillis());
            }
            pause(wait);
        }
    }

    /** A complete member list and the smallest TTL of the records it came from. */
    private record Resolution(List<Member> members, long minTtlSeconds) {
    }

    private Resolution resolve() throws IOException {
        final List<Member> members = new ArrayList<>();
        long minTtl = Long.MAX_VALUE;
        if (settings.mode() == DnsDiscoveryProvider.Mode.A) {
            final Addresses addresses = addresses(settings.name());
            for (final String address : addresses.all) {
                members.add(new Member(address, address, settings.port()));
            }
            minTtl = addresses.minTtl;
        } else {
            final Answer srv = query(settings.name(), Type.SRV);
            minTtl = srv.minTtl;
            for (final Record r : srv.records) {
                final SRVRecord record = (SRVRecord) r;
                final Addresses addresses = addresses(record.getTarget());
                if (addresses.all.isEmpty()) {
                    throw new IOException("SRV target " + record.getTarget() + " has no A or AAAA record");
                }
                minTtl = Math.min(minTtl, addresses.minTtl);
                members.add(new Member(id(record.getTarget()), addresses.first(), record.getPort()));
            }
        }
        if (members.isEmpty()) {
            throw new IOException("no " + (settings.mode() == DnsDiscoveryProvider.Mode.A ? "A/AAAA" : "SRV")
                + " record for " + settings.name());
        }
        return new Resolution(members, minTtl == Long.MAX_VALUE ? 0 : minTtl);
    }

    /** @return the target name without its final dot, the member's id. */
    private static String id(final Name target) {
        final String text = target.toString();
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    /** The A and AAAA addresses of a name, sorted (IPv4 first), and their smallest TTL. */
    private static final class Addresses {
        final TreeSet<String> v4 = new TreeSet<>();
        final TreeSet<String> v6 = new TreeSet<>();
        final List<String> all = new ArrayList<>();
        long minTtl = Long.MAX_VALUE;

        String first() {
            return all.get(0);
        }
    }

    private Addresses addresses(final Name name) throws IOException {
        final Addresses result = new Addresses();
        final Answer a = query(name, Type.A);
        final Answer aaaa = query(name, Type.AAAA);
        for (final Record r : a.records) {
            result.v4.add(((ARecord) r).getAddress().getHostAddress());
        }
        for (final Record r : aaaa.records) {
            result.v6.add(((AAAARecord) r).getAddress().getHostAddress());
        }
        result.all.addAll(result.v4);
        result.all.addAll(result.v6);
        result.minTtl = Math.min(a.minTtl, aaaa.minTtl);
        return result;
    }

    /** The records of one type in an answer (NXDOMAIN and NODATA are an empty answer). */
    private record Answer(List<Record> records, long minTtl) {
    }

    private Answer query(final Name name, final int type) throws IOException {
        final Message response = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        final int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new IOException(Type.string(type) + " " + name + ": " + Rcode.string(rcode));
        }
        final List<Record> records = new ArrayList<>();
        long minTtl = Long.MAX_VALUE;
        for (final Record r : response.getSection(Section.ANSWER)) {
            if (r.getType() == type && r.getName().equals(name)) {
                records.add(r);
                minTtl = Math.min(minTtl, r.getTTL());
            }
        }
        return new Answer(records, minTtl);
    }
}
