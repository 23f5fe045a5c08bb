package io.iris.discovery.staticlist;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.DiscoveryConfig;
import io.iris.api.discovery.DiscoveryProvider;
import io.iris.api.discovery.Member;
import io.iris.api.discovery.SourceDiscovery;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code discovery=static}: the members are {@code discovery.static.members=id@host:port,...}, the
 * whole cluster, this node included. The list never changes while the node runs and the provider has
 * no liveness of its own: the cluster's node links tell a live member from a dead one. Validated at
 * start: every entry parses, ids are unique, and {@code discovery.self}, when set, is one of the
 * entries (same id, host and port).
 */
public final class StaticDiscoveryProvider implements DiscoveryProvider {
    /** The provider's name. */
    public static final String NAME = "static";
    /** Required: comma-separated {@code id@host:port} entries. */
    public static final String KEY_MEMBERS = "discovery.static.members";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Discovery create(final IrisConfig config) {
        DiscoveryConfig.checkKeys(config, NAME, Set.of(KEY_MEMBERS));
        final List<Member> members = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        for (final String entry : config.requireString(KEY_MEMBERS).split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            final Member m;
            try {
                m = Member.parse(entry);
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("config key '" + KEY_MEMBERS + "': " + e.getMessage(), e);
            }
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("config key '" + KEY_MEMBERS + "': member id '" + m.id()
                    + "' appears twice");
            }
            members.add(m);
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("config key '" + KEY_MEMBERS + "' lists no member");
        }
        final Optional<Member> self = DiscoveryConfig.self(config);
        if (self.isPresent() && !members.contains(self.get())) {
            throw new IllegalArgumentException("config key '" + DiscoveryConfig.KEY_SELF + "' = " + self.get()
                + " is not one of " + KEY_MEMBERS + " (the static list is the whole cluster, this node included)");
        }
        return new StaticDiscovery(members);
    }

    /** The fixed list: a source that never changes and is never down, read by no thread. */
    private static final class StaticDiscovery extends SourceDiscovery {
        StaticDiscovery(final List<Member> members) {
            super("discovery=static");
            membership().update(members);
        }
    }
}
