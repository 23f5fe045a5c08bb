package io.iris.discovery.tck;

import io.iris.testsupport.Await;
import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.DiscoveryConfig;
import io.iris.api.discovery.DiscoveryProvider;
import io.iris.api.discovery.Member;
import io.iris.api.spi.Providers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The discovery SPI's contract ({@link Discovery}) as a JUnit 5 suite that every provider runs.
 *
 * <p>A provider's test class extends this one and says how to start a source (a DNS server, a Consul
 * agent, an etcd) that holds given members ({@link #startSource}), how to change it, stop it and start
 * it again. Capabilities a provider lacks are declared by hooks, and the tests that need them are
 * reported as skipped (JUnit assumptions), never as passed:
 * <ul>
 *   <li>{@link #sourceChanges()}: the membership can change while the provider runs (not static);</li>
 *   <li>{@link #sourceCanStop()}: the source is a process that can be unreachable;</li>
 *   <li>{@link #registers()}: the provider registers {@code discovery.self} with a liveness (lease, TTL
 *       check) that expires when the member dies.</li>
 * </ul>
 * Providers are found the way the server finds them: {@link Providers#load} by {@link #providerName()}.
 * Every discovery opened through {@link #open} is closed, and the source stopped, after each test.
 */
public abstract class DiscoveryContract {
    private static final String THREAD_PREFIX = "iris-discovery-";

    private final List<Discovery> opened = new ArrayList<>();

    /** @return the provider's configuration name ({@code discovery=<name>}). */
    protected abstract String providerName();

    /**
     * Starts a fresh source holding exactly {@code members} (called once per test, first).
     *
     * @param members the members the source lists.
     * @return the configuration keys that point the provider at it, with test-friendly (short) intervals.
     * @throws Exception if the source cannot start.
     */
    protected abstract Map<String, String> startSource(List<Member> members) throws Exception;

    /** Stops the source of this test, if it runs; called after each test. */
    protected abstract void closeSource() throws Exception;

    /**
     * Makes the running source hold exactly {@code members}. Only called when {@link #sourceChanges()}.
     *
     * @param members the new members.
     * @throws Exception if the source cannot be changed.
     */
    protected void changeSource(final List<Member> members) throws Exception {
        throw new UnsupportedOperationException("source does not change");
    }

    /** Makes the source unreachable (kill its process). Only called when {@link #sourceCanStop()}. */
    protected void stopSource() throws Exception {
        throw new UnsupportedOperationException("source cannot stop");
    }

    /** Starts the stopped source again, same address and data. Only called when {@link #sourceCanStop()}. */
    protected void restartSource() throws Exception {
        throw new UnsupportedOperationException("source cannot stop");
    }

    /** @return true when the membership can change while the provider runs. */
    protected boolean sourceChanges() {
        return true;
    }

    /** @return true when the source is something that can be down. */
    protected boolean sourceCanStop() {
        return true;
    }

    /** @return true when the provider registers {@code discovery.self} with a liveness that expires. */
    protected boolean registers() {
        return false;
    }

    /**
     * @return the key a start-up against an unreachable source must name in its error (e.g. the source's
     * address key).
     */
    protected String sourceKey() {
        throw new UnsupportedOperationException("source cannot stop");
    }

    /** @return keys and malformed values, each of which must fail start-up with a message naming the key. */
    protected abstract List<Map.Entry<String, String>> badValues();

    /**
     * @return keys without which start-up must fail, naming the key (removed one at a time from the
     * {@link #startSource} config); empty when every key has a default.
     */
    protected abstract List<String> requiredKeys();

    /**
     * @param config the configuration.
     * @return an open discovery, closed after the test.
     */
    protected final Discovery open(final Map<String, String> config) {
        final Map<String, String> all = new HashMap<>(config);
        all.put(DiscoveryConfig.KEY, providerName());
        final Discovery discovery = Providers.load(DiscoveryProvider.class, providerName()).create(IrisConfig.of(all));
        opened.add(discovery);
        return discovery;
    }

    @AfterEach
    final void closeAll() throws Exception {
        try {
            for (final Discovery d : opened) {
                d.close();
            }
            opened.clear();
        } finally {
            closeSource();
        }
    }

    /**
     * @param n a small number.
     * @return member n: by default id n<n>, on 127.0.0.(n+1), node-link port 7800+n; a provider whose ids
     * come from its source (DNS names) overrides it.
     */
    protected Member member(final int n) {
        return new Member("n" + n, "127.0.0." + (n + 1), 7800 + n);
    }

    @Test
    final void listsEveryMemberSortedByIdAndTellsANewListenerAtOnce() throws Exception {
        final List<Member> members = List.of(member(3), member(1), member(2));
        final Discovery discovery = open(startSource(members));
        final List<Member> sorted = List.of(member(1), member(2), member(3));
        Await.until(() -> discovery.members().equals(sorted), "the three members, sorted by id");
        final List<List<Member>> calls = new CopyOnWriteArrayList<>();
        discovery.subscribe(calls::add);
        assertThat(calls).containsExactly(sorted);
        assertThat(discovery.isSourceReachable()).isTrue();
        assertThat(discovery.members()).isUnmodifiable();
    }

    @Test
    final void callsListenersOncePerChangeWithTheCompleteList() throws Exception {
        assumeTrue(sourceChanges(), "the source of " + providerName() + " does not change");
        final List<Member> initial = List.of(member(1), member(2));
        final Discovery discovery = open(startSource(initial));
        Await.until(() -> discovery.members().equals(initial), "the initial members");
        final List<List<Member>> calls = new CopyOnWriteArrayList<>();
        discovery.subscribe(calls::add);

        final List<Member> added = List.of(member(1), member(2), member(3));
        changeSource(added);
        Await.until(() -> calls.get(calls.size() - 1).equals(added), "n3 added");
        final List<Member> removed = List.of(member(1), member(3));
        changeSource(removed);
        Await.until(() -> calls.get(calls.size() - 1).equals(removed), "n2 removed");

        assertThat(calls).as("one call per change, each with the complete list").containsExactly(initial, added, removed);
        assertThat(discovery.members()).isEqualTo(removed);
    }

    @Test
    final void keepsTheLastGoodListWhileTheSourceIsDownAndRecoversByItself() throws Exception {
        assumeTrue(sourceCanStop(), providerName() + " has no source that can be down");
        final List<Member> initial = List.of(member(1), member(2));
        final Discovery discovery = open(startSource(initial));
        Await.until(() -> discovery.members().equals(initial), "the initial members");
        final List<List<Member>> calls = new CopyOnWriteArrayList<>();
        discovery.subscribe(calls::add);
        final long errorsBefore = discovery.sourceErrors();

        stopSource();
        Await.until(() -> !discovery.isSourceReachable() && discovery.sourceErrors() > errorsBefore,
            "the provider to notice the source is down");
        assertThat(discovery.members()).as("last good list kept").isEqualTo(initial);

        restartSource();
        final List<Member> changed = List.of(member(1), member(2), member(4));
        changeSource(changed);
        Await.until(() -> discovery.members().equals(changed) && discovery.isSourceReachable(),
            "the provider to recover by itself and see n4");
        assertThat(calls).as("no call while the source was down, no partial list")
            .containsExactly(initial, changed);
    }

    @Test
    final void startWithAnUnreachableSourceFailsNamingTheKey() throws Exception {
        assumeTrue(sourceCanStop(), providerName() + " has no source that can be down");
        final Map<String, String> config = startSource(List.of(member(1)));
        stopSource();
        assertThatThrownBy(() -> open(config)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(sourceKey());
        assertThat(liveProviderThreads()).as("no thread left behind by the failed start").isEmpty();
    }

    @Test
    final void anUnknownKeyFailsNamingIt() throws Exception {
        final Map<String, String> config = new HashMap<>(startSource(List.of(member(1))));
        for (final String key : List.of("discovery." + providerName() + ".noSuchKey", "discovery.nosuchprovider.x")) {
            final Map<String, String> bad = new HashMap<>(config);
            bad.put(key, "1");
            assertThatThrownBy(() -> open(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key);
        }
    }

    @Test
    final void aMalformedValueFailsNamingTheKey() throws Exception {
        final Map<String, String> config = startSource(List.of(member(1)));
        assertThat(badValues()).isNotEmpty();
        for (final Map.Entry<String, String> e : badValues()) {
            final Map<String, String> bad = new HashMap<>(config);
            bad.put(e.getKey(), e.getValue());
            assertThatThrownBy(() -> open(bad)).as(e.getKey() + "=" + e.getValue())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(e.getKey());
        }
    }

    @Test
    final void aMissingRequiredKeyFailsNamingIt() throws Exception {
        assumeTrue(!requiredKeys().isEmpty(), providerName() + " has a default for every key");
        final Map<String, String> config = startSource(List.of(member(1)));
        for (final String key : requiredKeys()) {
            final Map<String, String> bad = new HashMap<>(config);
            bad.remove(key);
            assertThatThrownBy(() -> open(bad)).as(key).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key);
        }
    }

    @Test
    final void closeStopsEveryProviderThread() throws Exception {
        final Discovery discovery = open(startSource(List.of(member(1))));
        Await.until(() -> discovery.members().equals(List.of(member(1))), "the member");
        discovery.close();
        Await.until(() -> liveProviderThreads().isEmpty(), "every " + THREAD_PREFIX + "* thread to end");
    }

    @Test
    final void aRegisteredMemberAppearsAndCloseDeregistersIt() throws Exception {
        assumeTrue(registers(), providerName() + " does not register members");
        final Map<String, String> config = startSource(List.of(member(1)));
        final Discovery watcher = open(config);
        final Map<String, String> selfConfig = new HashMap<>(config);
        selfConfig.put(DiscoveryConfig.KEY_SELF, member(5).toString());
        selfConfig.putAll(longLiveness());
        final Discovery registered = open(selfConfig);
        final List<Member> both = List.of(member(1), member(5));
        Await.until(() -> watcher.members().equals(both), "n5 registered");
        Await.until(() -> registered.members().equals(both), "the registered node to see itself");

        registered.close();
        // the liveness (longLiveness) outlasts this deadline: only the deregistration can make n5 go
        Await.until(() -> watcher.members().equals(List.of(member(1))), 15, "n5 deregistered by close()");
    }

    @Test
    final void aKilledMemberDisappearsWhenItsLivenessExpires() throws Exception {
        assumeTrue(registers(), providerName() + " does not register members");
        final Map<String, String> config = startSource(List.of(member(1)));
        final Discovery watcher = open(config);
        final Map<String, String> memberConfig = new HashMap<>(config);
        memberConfig.put(DiscoveryConfig.KEY, providerName());
        memberConfig.put(DiscoveryConfig.KEY_SELF, member(6).toString());
        try (MemberProcess process = MemberProcess.start(memberConfig)) {
            Await.until(() -> watcher.members().contains(member(6)), "n6 (pid " + process.pid() + ") registered");
            final List<List<Member>> calls = new CopyOnWriteArrayList<>();
            watcher.subscribe(calls::add);
            // while it lives, its keepalives hold it in the list for several times its liveness period
            final long until = System.nanoTime() + 3 * livenessMillis() * 1_000_000L;
            Await.until(() -> System.nanoTime() - until > 0, "three liveness periods of a live member");
            assertThat(calls).as("a live member is never dropped").allMatch(list -> list.contains(member(6)));
            assertThat(watcher.members()).contains(member(6));
            process.kill();
            Await.until(() -> watcher.members().equals(List.of(member(1))), "n6's liveness to expire after SIGKILL");
        }
    }

    /**
     * @return the liveness period (lease or check TTL) the {@link #startSource} config gives a
     * registration, ms; only used when {@link #registers()}.
     */
    protected long livenessMillis() {
        throw new UnsupportedOperationException("no registration");
    }

    /**
     * @return keys giving a registration a liveness longer than 15 s (to tell deregistration from expiry);
     * only used when {@link #registers()}.
     */
    protected Map<String, String> longLiveness() {
        return Map.of();
    }

    /** @return live threads whose name starts with {@code iris-discovery-}: providers must name theirs so. */
    protected static List<String> liveProviderThreads() {
        final List<String> names = new ArrayList<>();
        for (final Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(THREAD_PREFIX)) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
