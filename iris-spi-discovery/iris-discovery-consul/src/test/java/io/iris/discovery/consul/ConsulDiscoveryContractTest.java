package io.iris.discovery.consul;

import io.iris.api.discovery.Member;
import io.iris.discovery.tck.DiscoveryContract;

import java.util.List;
import java.util.Map;

/**
 * The discovery TCK against {@link ConsulStandIn}, an in-test implementation of the Consul agent
 * endpoints the provider uses (there is no Consul binary here), with an ACL token required. Members set
 * by the test are always-passing instances; registered ones (discovery.self) carry 1 s TTL checks.
 */
class ConsulDiscoveryContractTest extends DiscoveryContract {
    private static final String SERVICE = "iris";
    private static final String TOKEN = "test-acl-token";

    private ConsulStandIn consul;

    @Override
    protected String providerName() {
        return ConsulDiscoveryProvider.NAME;
    }

    @Override
    protected Map<String, String> startSource(final List<Member> members) throws Exception {
        consul = new ConsulStandIn(TOKEN);
        consul.setInstances(SERVICE, members);
        return Map.of(ConsulDiscoveryProvider.KEY_URL, consul.url(),
            ConsulDiscoveryProvider.KEY_SERVICE, SERVICE,
            ConsulDiscoveryProvider.KEY_TOKEN, TOKEN,
            ConsulDiscoveryProvider.KEY_TTL, "1000",
            ConsulDiscoveryProvider.KEY_WAIT, "5",
            ConsulDiscoveryProvider.KEY_TIMEOUT, "1000",
            ConsulDiscoveryProvider.KEY_MAX_BACKOFF, "200",
            ConsulDiscoveryProvider.KEY_START_TIMEOUT, "1500");
    }

    @Override
    protected void changeSource(final List<Member> members) {
        consul.setInstances(SERVICE, members);
    }

    @Override
    protected void stopSource() {
        consul.stop();
    }

    @Override
    protected void restartSource() throws Exception {
        consul.restart();
    }

    @Override
    protected void closeSource() {
        if (consul != null) {
            consul.close();
            consul = null;
        }
    }

    @Override
    protected boolean registers() {
        return true;
    }

    @Override
    protected long livenessMillis() {
        return 1000;
    }

    @Override
    protected Map<String, String> longLiveness() {
        return Map.of(ConsulDiscoveryProvider.KEY_TTL, "60000");
    }

    @Override
    protected String sourceKey() {
        return ConsulDiscoveryProvider.KEY_URL;
    }

    @Override
    protected List<Map.Entry<String, String>> badValues() {
        return List.of(
            Map.entry(ConsulDiscoveryProvider.KEY_URL, "127.0.0.1:8500"),
            Map.entry(ConsulDiscoveryProvider.KEY_SERVICE, "iris nodes"),
            Map.entry(ConsulDiscoveryProvider.KEY_TOKEN, "two words"),
            Map.entry(ConsulDiscoveryProvider.KEY_TTL, "10"),
            Map.entry(ConsulDiscoveryProvider.KEY_WAIT, "601"),
            Map.entry("discovery.self", "n1@h:port"));
    }

    @Override
    protected List<String> requiredKeys() {
        return List.of(ConsulDiscoveryProvider.KEY_SERVICE);
    }
}
