package io.iris.engine;

import io.iris.api.IrisConfig;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.config.ConfigKey;
import io.iris.engine.config.ConfigKeys;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration keys an engine accepts, checked before anything starts so that a typo fails start-up
 * instead of silently running on a default ({@code storrage=chronicle} would otherwise start an in-memory
 * engine whose messages do not survive a restart).
 *
 * <p>A key is accepted when it is
 * <ul>
 *   <li>one the engine reads itself ({@link #engineKeys()}: the registry {@link ConfigKeys} —
 *       {@link EngineSettings}, the flow-control thresholds, the {@code auth=jwt} authenticator, the storage keys
 *       every provider shares);</li>
 *   <li>in a provider area: {@code storage}, {@code auth} and {@code discovery} each name the chosen provider,
 *       and the keys under {@code <area>.<provider>.} belong to that provider, which checks its own values
 *       (so {@code storage.redis.uri} passes here even with {@code storage=chronicle}; the reference server
 *       lists every provider key in its {@code iris.properties}). The whole {@code discovery.} namespace belongs
 *       to the discovery providers. The {@code auth.jwt.} keys are the engine's own, so they are checked
 *       exactly;</li>
 *   <li>one the embedding application declared it reads from the same configuration
 *       ({@link IrisEngine.Builder#applicationKeys}).</li>
 * </ul>
 * Anything else fails with an {@link IllegalArgumentException} naming the key and the closest known key.
 */
public final class KnownKeys {
    /** Areas whose providers are chosen by name: {@code <area>=<name>}, their keys under {@code <area>.<name>.}. */
    private static final List<String> PROVIDER_AREAS = List.of("storage", "auth", "discovery");
    /** The engine's own provider, whose keys are listed exactly. */
    private static final String OWN_PROVIDER_PREFIX = "auth." + JwtAuthenticatorProvider.NAME + ".";

    private static final Set<String> ENGINE_KEYS = engineKeySet();

    private KnownKeys() {
    }

    /** @return every key the engine itself reads, sorted. */
    public static Set<String> engineKeys() {
        return ENGINE_KEYS;
    }

    /**
     * @param key             a configuration key.
     * @param applicationKeys keys the embedding application reads itself.
     * @return true if the engine or a provider area accepts the key (see the class comment).
     */
    public static boolean isKnown(final String key, final Collection<String> applicationKeys) {
        return ENGINE_KEYS.contains(key) || applicationKeys.contains(key) || inProviderArea(key);
    }

    /**
     * @param config          the configuration to check.
     * @param applicationKeys keys the embedding application reads itself from the same configuration.
     * @throws IllegalArgumentException for the first unknown key, naming it and the closest known key.
     */
    public static void requireKnown(final IrisConfig config, final Collection<String> applicationKeys) {
        for (final String key : config.asMap().keySet()) {
            if (!isKnown(key, applicationKeys)) {
                final Set<String> candidates = new TreeSet<>(ENGINE_KEYS);
                candidates.addAll(applicationKeys);
                throw new IllegalArgumentException(unknownKeyMessage(key, candidates)
                    + "; a provider's own keys go under storage.<name>., auth.<name>. or discovery.");
            }
        }
    }

    /**
     * @param key        an unknown key.
     * @param candidates the known keys.
     * @return "unknown config key 'K' (did you mean 'C'?)", the closest candidate by edit distance.
     */
    public static String unknownKeyMessage(final String key, final Collection<String> candidates) {
        final String closest = closest(key, candidates);
        return "unknown config key '" + key + "'" + (closest == null ? "" : " (did you mean '" + closest + "'?)");
    }

    /**
     * @param key        a key.
     * @param candidates the keys to choose from.
     * @return the candidate with the smallest edit distance (Levenshtein, case-insensitive) to {@code key}, the
     *         first in iteration order among equals; null when there are no candidates.
     */
    public static String closest(final String key, final Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : candidates) {
            final int d = editDistance(key.toLowerCase(java.util.Locale.ROOT),
                candidate.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    private static boolean inProviderArea(final String key) {
        if (key.startsWith(OWN_PROVIDER_PREFIX)) {
            return false; // the engine's own provider: its keys are in ENGINE_KEYS
        }
        for (final String area : PROVIDER_AREAS) {
            if (key.equals(area)) {
                return true;
            }
            if (area.equals("discovery") && key.startsWith("discovery.") && key.length() > "discovery.".length()) {
                return true;
            }
            if (key.startsWith(area + ".")) {
                final String rest = key.substring(area.length() + 1);
                final int dot = rest.indexOf('.');
                if (dot > 0 && dot < rest.length() - 1) {
                    return true; // <area>.<provider>.<key>
                }
            }
        }
        return false;
    }

    private static int editDistance(final String a, final String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Set<String> engineKeySet() {
        final Set<String> keys = new TreeSet<>();
        for (final ConfigKey key : ConfigKeys.all()) {
            keys.add(key.name());
        }
        return Collections.unmodifiableSet(keys);
    }
}
