package io.iris.discovery.staticlist;

import io.iris.api.discovery.Member;
import io.iris.discovery.tck.DiscoveryContract;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The discovery TCK for {@code discovery=static}: the "source" is the configuration itself. */
class StaticDiscoveryContractTest extends DiscoveryContract {
    @Override
    protected String providerName() {
        return StaticDiscoveryProvider.NAME;
    }

    @Override
    protected Map<String, String> startSource(final List<Member> members) {
        return Map.of(StaticDiscoveryProvider.KEY_MEMBERS,
            members.stream().map(Member::toString).collect(Collectors.joining(",")));
    }

    @Override
    protected void closeSource() {
        // nothing to stop
    }

    @Override
    protected boolean sourceChanges() {
        return false;
    }

    @Override
    protected boolean sourceCanStop() {
        return false;
    }

    @Override
    protected List<Map.Entry<String, String>> badValues() {
        return List.of(
            Map.entry(StaticDiscoveryProvider.KEY_MEMBERS, "n1@127.0.0.1"),
            Map.entry(StaticDiscoveryProvider.KEY_MEMBERS, "n1@127.0.0.1:99999"),
            Map.entry(StaticDiscoveryProvider.KEY_MEMBERS, "127.0.0.1:7801"),
            Map.entry(StaticDiscoveryProvider.KEY_MEMBERS, "n1@127.0.0.1:7801,n1@127.0.0.2:7802"),
            Map.entry(StaticDiscoveryProvider.KEY_MEMBERS, " , "),
            Map.entry("discovery.self", "n9@127.0.0.9:7809"),
            Map.entry("discovery.self", "n1@127.0.0.3:7801"),
            Map.entry("discovery.self", "n1"));
    }

    @Override
    protected List<String> requiredKeys() {
        return List.of(StaticDiscoveryProvider.KEY_MEMBERS);
    }
}
