package io.iris.discovery.dns;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.Member;
import io.iris.testsupport.Await;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code discovery.dns.mode=a} against a real {@code dnsmasq}: the members are the addresses of one name
 * with the configured port; an empty answer (every record removed) keeps the last good list.
 */
class DnsAModeTest {
    private static final String NAME = "members." + Dnsmasq.DOMAIN;

    @Test
    void membersAreTheAddressesOfTheNameOnTheConfiguredPort() throws Exception {
        try (Dnsmasq dns = new Dnsmasq()) {
            dns.records(List.of("--host-record=" + NAME + ",127.0.0.3", "--host-record=" + NAME + ",127.0.0.2"));
            final IrisConfig config = IrisConfig.of(Map.of("discovery", "dns",
                DnsDiscoveryProvider.KEY_NAME, NAME, DnsDiscoveryProvider.KEY_MODE, "a",
                DnsDiscoveryProvider.KEY_PORT, "7900", DnsDiscoveryProvider.KEY_SERVERS, "127.0.0.1:" + dns.port(),
                DnsDiscoveryProvider.KEY_INTERVAL, "200", DnsDiscoveryProvider.KEY_MAX_BACKOFF, "200"));
            try (Discovery discovery = new DnsDiscoveryProvider().create(config)) {
                final List<Member> two = List.of(new Member("127.0.0.2", "127.0.0.2", 7900),
                    new Member("127.0.0.3", "127.0.0.3", 7900));
                assertThat(discovery.members()).isEqualTo(two);

                dns.records(List.of("--host-record=" + NAME + ",127.0.0.2", "--host-record=" + NAME + ",127.0.0.4"));
                Await.until(() -> discovery.members().equals(List.of(new Member("127.0.0.2", "127.0.0.2", 7900),
                    new Member("127.0.0.4", "127.0.0.4", 7900))), "127.0.0.3 replaced by 127.0.0.4");

                final long errors = discovery.sourceErrors();
                final List<Member> lastGood = discovery.members();
                dns.records(List.of());
                Await.until(() -> discovery.sourceErrors() > errors + 1 && !discovery.isSourceReachable(),
                    "the empty answer to count as a failure");
                assertThat(discovery.members()).as("never an empty cluster from DNS").isEqualTo(lastGood);
            }
        }
    }

    @Test
    void aShortRecordTtlIsReResolvedLongBeforeTheInterval() throws Exception {
        final Path hosts = Files.createTempFile("iris-dns-hosts-", ".txt");
        try (Dnsmasq dns = new Dnsmasq()) {
            Files.writeString(hosts, "127.0.0.2 " + NAME + "\n");
            // records from the hosts file carry a 1 s TTL; the interval alone would wait 10 minutes
            dns.records(List.of("--addn-hosts=" + hosts, "--local-ttl=1"));
            final IrisConfig config = IrisConfig.of(Map.of(DnsDiscoveryProvider.KEY_NAME, NAME,
                DnsDiscoveryProvider.KEY_MODE, "a", DnsDiscoveryProvider.KEY_PORT, "7900",
                DnsDiscoveryProvider.KEY_SERVERS, "127.0.0.1:" + dns.port(), DnsDiscoveryProvider.KEY_INTERVAL, "600000"));
            try (Discovery discovery = new DnsDiscoveryProvider().create(config)) {
                assertThat(discovery.members()).containsExactly(new Member("127.0.0.2", "127.0.0.2", 7900));
                Files.writeString(hosts, "127.0.0.2 " + NAME + "\n127.0.0.5 " + NAME + "\n");
                dns.reload();
                Await.until(() -> discovery.members().size() == 2, "127.0.0.5, seen after the records' TTL");
                assertThat(discovery.sourceErrors()).as("no outage: SIGHUP, not a restart").isZero();
            }
        } finally {
            Files.deleteIfExists(hosts);
        }
    }

    @Test
    void aModeRequiresThePort() {
        assertThatThrownBy(() -> new DnsDiscoveryProvider().create(IrisConfig.of(Map.of(
            DnsDiscoveryProvider.KEY_NAME, NAME, DnsDiscoveryProvider.KEY_MODE, "a"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(DnsDiscoveryProvider.KEY_PORT);
    }
}
