package io.iris.discovery.dns;

import io.iris.api.discovery.Member;
import io.iris.discovery.tck.DiscoveryContract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The discovery TCK against a real {@code dnsmasq} serving {@code _iris._tcp.iris.test} SRV records
 * whose targets {@code n<i>.iris.test} have A records on 127.0.0.0/8. Member ids are the target names.
 */
class DnsSrvDiscoveryContractTest extends DiscoveryContract {
    static final String SRV = "_iris._tcp." + Dnsmasq.DOMAIN;

    private Dnsmasq dns;

    @Override
    protected String providerName() {
        return DnsDiscoveryProvider.NAME;
    }

    @Override
    protected Member member(final int n) {
        return new Member("n" + n + "." + Dnsmasq.DOMAIN, "127.0.0." + (n + 1), 7800 + n);
    }

    /** @return the dnsmasq options publishing {@code members} as SRV records with A records for their targets. */
    static List<String> srvRecords(final List<Member> members) {
        final List<String> options = new ArrayList<>();
        for (final Member m : members) {
            options.add("--srv-host=" + SRV + "," + m.id() + "," + m.port());
            options.add("--host-record=" + m.id() + "," + m.host());
        }
        return options;
    }

    @Override
    protected Map<String, String> startSource(final List<Member> members) throws Exception {
        dns = new Dnsmasq();
        dns.records(srvRecords(members));
        return Map.of(DnsDiscoveryProvider.KEY_NAME, SRV,
            DnsDiscoveryProvider.KEY_SERVERS, "127.0.0.1:" + dns.port(),
            DnsDiscoveryProvider.KEY_INTERVAL, "200",
            DnsDiscoveryProvider.KEY_TIMEOUT, "500",
            DnsDiscoveryProvider.KEY_MAX_BACKOFF, "200",
            DnsDiscoveryProvider.KEY_START_TIMEOUT, "1500");
    }

    @Override
    protected void changeSource(final List<Member> members) throws Exception {
        dns.records(srvRecords(members));
    }

    @Override
    protected void stopSource() throws Exception {
        dns.kill();
    }

    @Override
    protected void restartSource() {
        dns.start();
    }

    @Override
    protected void closeSource() throws Exception {
        if (dns != null) {
            dns.close();
            dns = null;
        }
    }

    @Override
    protected String sourceKey() {
        return DnsDiscoveryProvider.KEY_SERVERS;
    }

    @Override
    protected List<Map.Entry<String, String>> badValues() {
        return List.of(
            Map.entry(DnsDiscoveryProvider.KEY_MODE, "mx"),
            Map.entry(DnsDiscoveryProvider.KEY_PORT, "7800"),
            Map.entry(DnsDiscoveryProvider.KEY_NAME, "bad..name"),
            Map.entry(DnsDiscoveryProvider.KEY_SERVERS, "127.0.0.1:notaport"),
            Map.entry(DnsDiscoveryProvider.KEY_SERVERS, "127.0.0.1:0"),
            Map.entry(DnsDiscoveryProvider.KEY_INTERVAL, "10"),
            Map.entry(DnsDiscoveryProvider.KEY_TIMEOUT, "-1"),
            Map.entry("discovery.self", "n1@127.0.0.2"));
    }

    @Override
    protected List<String> requiredKeys() {
        return List.of(DnsDiscoveryProvider.KEY_NAME);
    }
}
