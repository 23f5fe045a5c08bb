package io.iris.discovery.etcd;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.Member;
import io.iris.testsupport.Await;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A registration whose lease is gone (expired during an outage, or revoked) is made again with a new lease. */
class EtcdLeaseTest {
    private static final Pattern LEASE_ID = Pattern.compile("\"ID\":\"(\\d+)\"");

    @Test
    void aRevokedLeaseIsReplacedAndTheNodeListedAgain() throws Exception {
        try (EtcdServer etcd = EtcdServer.start()) {
            final Member self = new Member("n8", "127.0.0.9", 7808);
            try (Discovery discovery = new EtcdDiscoveryProvider().create(IrisConfig.of(Map.of(
                EtcdDiscoveryProvider.KEY_ENDPOINTS, etcd.clientUrl(), EtcdDiscoveryProvider.KEY_LEASE_TTL, "3",
                "discovery.self", self.toString())))) {
                Await.until(() -> discovery.members().equals(List.of(self)), "n8 registered");
                final List<List<Member>> calls = new CopyOnWriteArrayList<>();
                discovery.subscribe(calls::add);

                final List<Long> leases = leases(etcd);
                assertThat(leases).hasSize(1);
                final EtcdClient admin = new EtcdClient(List.of(URI.create(etcd.clientUrl())), Duration.ofSeconds(5));
                admin.revoke(leases.get(0));

                Await.until(() -> calls.contains(List.of()) && calls.get(calls.size() - 1).equals(List.of(self)),
                    "n8 gone with its lease, then registered again");
                assertThat(leases(etcd)).hasSize(1).doesNotContain(leases.get(0));
            }
        }
    }

    /** @return the ids of every lease etcd holds ({@code /v3/lease/leases}). */
    private static List<Long> leases(final EtcdServer etcd) throws Exception {
        final String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(etcd.clientUrl()
                + "/v3/lease/leases")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        final List<Long> ids = new ArrayList<>();
        final Matcher m = LEASE_ID.matcher(body.substring(Math.max(0, body.indexOf("\"leases\""))));
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    @Test
    void aKeyDeletedByHandWhileItsLeaseLivesIsPutBack() throws Exception {
        try (EtcdServer etcd = EtcdServer.start()) {
            final Member self = new Member("n8", "127.0.0.9", 7808);
            try (Discovery discovery = new EtcdDiscoveryProvider().create(IrisConfig.of(Map.of(
                EtcdDiscoveryProvider.KEY_ENDPOINTS, etcd.clientUrl(), EtcdDiscoveryProvider.KEY_LEASE_TTL, "3",
                "discovery.self", self.toString())))) {
                Await.until(() -> discovery.members().equals(List.of(self)), "n8 registered");
                final List<List<Member>> calls = new CopyOnWriteArrayList<>();
                discovery.subscribe(calls::add);
                new EtcdClient(List.of(URI.create(etcd.clientUrl())), Duration.ofSeconds(5))
                    .delete(EtcdDiscoveryProvider.DEFAULT_PREFIX + "n8");
                Await.until(() -> calls.contains(List.of()) && calls.get(calls.size() - 1).equals(List.of(self)),
                    "n8's key deleted, then put back under the same lease");
                assertThat(leases(etcd)).hasSize(1);
            }
        }
    }
}
