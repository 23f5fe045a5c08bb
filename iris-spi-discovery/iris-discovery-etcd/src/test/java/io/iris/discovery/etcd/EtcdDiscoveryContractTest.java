package io.iris.discovery.etcd;

import io.iris.api.discovery.Member;
import io.iris.discovery.tck.DiscoveryContract;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The discovery TCK against a real {@code etcd} started for each test. The test changes the membership
 * by writing and deleting keys under the prefix itself (no lease); registered members (discovery.self)
 * use 2 s leases, etcd's minimum.
 */
class EtcdDiscoveryContractTest extends DiscoveryContract {
    private static final String PREFIX = "/iris-test/members/";

    private EtcdServer server;
    private EtcdClient admin;
    private Set<Member> current = new HashSet<>();

    @Override
    protected String providerName() {
        return EtcdDiscoveryProvider.NAME;
    }

    @Override
    protected Map<String, String> startSource(final List<Member> members) throws Exception {
        server = EtcdServer.start();
        admin = new EtcdClient(List.of(URI.create(server.clientUrl())), Duration.ofSeconds(5));
        changeSource(members);
        return Map.of(EtcdDiscoveryProvider.KEY_ENDPOINTS, server.clientUrl(),
            EtcdDiscoveryProvider.KEY_PREFIX, PREFIX,
            EtcdDiscoveryProvider.KEY_LEASE_TTL, "2",
            EtcdDiscoveryProvider.KEY_MAX_BACKOFF, "200",
            EtcdDiscoveryProvider.KEY_START_TIMEOUT, "1500",
            EtcdDiscoveryProvider.KEY_TIMEOUT, "1000");
    }

    @Override
    protected void changeSource(final List<Member> members) throws Exception {
        for (final Member m : current) {
            if (!members.contains(m)) {
                admin.delete(PREFIX + m.id());
            }
        }
        for (final Member m : members) {
            if (!current.contains(m)) {
                admin.put(PREFIX + m.id(), m.toString(), 0);
            }
        }
        current = new HashSet<>(members);
    }

    @Override
    protected void stopSource() throws Exception {
        server.kill();
    }

    @Override
    protected void restartSource() {
        server.restart();
    }

    @Override
    protected void closeSource() throws Exception {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    protected boolean registers() {
        return true;
    }

    @Override
    protected long livenessMillis() {
        return 2000;
    }

    @Override
    protected Map<String, String> longLiveness() {
        return Map.of(EtcdDiscoveryProvider.KEY_LEASE_TTL, "60");
    }

    @Override
    protected String sourceKey() {
        return EtcdDiscoveryProvider.KEY_ENDPOINTS;
    }

    @Override
    protected List<Map.Entry<String, String>> badValues() {
        return List.of(
            Map.entry(EtcdDiscoveryProvider.KEY_ENDPOINTS, "127.0.0.1:2379"),
            Map.entry(EtcdDiscoveryProvider.KEY_ENDPOINTS, "ftp://127.0.0.1:2379"),
            Map.entry(EtcdDiscoveryProvider.KEY_ENDPOINTS, " , "),
            Map.entry(EtcdDiscoveryProvider.KEY_PREFIX, "/no-slash"),
            Map.entry(EtcdDiscoveryProvider.KEY_LEASE_TTL, "1"),
            Map.entry(EtcdDiscoveryProvider.KEY_LEASE_TTL, "ten"),
            Map.entry(EtcdDiscoveryProvider.KEY_TIMEOUT, "0"),
            Map.entry("discovery.self", "n1@127.0.0.1"));
    }

    @Override
    protected List<String> requiredKeys() {
        // every etcd key has a default; without endpoints it points at 127.0.0.1:2379, where nothing runs here
        return List.of();
    }
}
