package io.iris.api.discovery;

import io.iris.api.IrisConfig;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration keys every discovery provider shares, and the check that refuses the ones no
 * provider reads (a typo must fail start-up, naming the key, rather than be ignored).
 */
public final class DiscoveryConfig {
    /** Chooses the provider by name: {@code static}, {@code dns}, {@code consul}, {@code etcd}. */
    public static final String KEY = "discovery";
    /**
     * This node, {@code id@host:port} (the node-link address others connect to). Registered by the
     * providers whose source supports registration (consul, etcd); checked against the list by static.
     */
    public static final String KEY_SELF = "discovery.self";

    private DiscoveryConfig() {
    }

    /**
     * @param config the configuration.
     * @return this node, if {@value #KEY_SELF} is set.
     * @throws IllegalArgumentException naming the key when the value is malformed.
     */
    public static Optional<Member> self(final IrisConfig config) {
        final String text = config.getString(KEY_SELF, "");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Member.parse(text));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("config key '" + KEY_SELF + "': " + e.getMessage(), e);
        }
    }

    /**
     * Refuses every {@code discovery.*} key that is neither {@value #KEY_SELF} nor one of
     * {@code providerKeys}.
     *
     * @param config       the configuration.
     * @param provider     the provider's name (its keys start with {@code discovery.<provider>.}).
     * @param providerKeys every key the provider reads.
     * @throws IllegalArgumentException naming the first unknown key and listing the known ones.
     */
    public static void checkKeys(final IrisConfig config, final String provider, final Set<String> providerKeys) {
        for (final String key : new TreeSet<>(config.asMap().keySet())) {
            if (!key.startsWith(KEY + ".") || key.equals(KEY_SELF) || providerKeys.contains(key)) {
                continue;
            }
            throw new IllegalArgumentException("unknown config key '" + key + "' for " + KEY + "=" + provider
                + "; it reads " + new TreeSet<>(providerKeys) + " and " + KEY_SELF);
        }
    }
}
