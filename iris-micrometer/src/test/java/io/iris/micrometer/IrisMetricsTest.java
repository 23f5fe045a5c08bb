package io.iris.micrometer;

import io.iris.api.IrisConfig;
import io.iris.api.counters.IrisCounters;
import io.iris.client.IrisClient;
import io.iris.engine.IrisEngine;
import io.iris.engine.auth.JwtMinter;
import io.iris.protocol.SendStatus;
import io.iris.testsupport.Await;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binder against a real engine (memory storage) after real traffic, read through a SimpleMeterRegistry. */
class IrisMetricsTest {
    private static final String SECRET = "micrometer-test-secret-0123456789abcdefgh";
    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private IrisEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private IrisClient client(final String user) throws Exception {
        final IrisClient c = IrisClient.builder().address("127.0.0.1", engine.port())
            .token(minter.mint(user, Duration.ofHours(1))).deviceId("d").listener(d -> { }).build();
        c.connect().get(10, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void countersAndGaugesOfARunningEngineAreReadOnEveryScrape() throws Exception {
        engine = IrisEngine.builder().config(IrisConfig.of(Map.of("server.host", "127.0.0.1", "server.port", "0",
            "auth.jwt.secret", SECRET, "storage", "memory", "engine.shards", "2"))).start();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new IrisMetrics(engine.counters(), Tags.of("node", "n1")).bindTo(registry);

        final FunctionCounter stored = registry.get("iris.sends").tags("status", SendStatus.STORED.name(), "node", "n1")
            .functionCounter();
        final Gauge open = registry.get("iris.transport.connections.open").tag("listener", "client").gauge();
        assertThat(stored.count()).isZero();
        assertThat(open.value()).isZero();
        try (IrisClient alice = client("alice"); IrisClient bob = client("bob")) {
            for (int i = 0; i < 5; i++) {
                assertThat(alice.send("bob", ("m" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS)
                    .status()).isEqualTo(SendStatus.STORED);
            }
            assertThat(stored.count()).as("read again, not a copy taken at bind time").isEqualTo(5.0);
            assertThat(open.value()).isEqualTo(2.0);
            assertThat(registry.get("iris.logins").functionCounter().count()).isEqualTo(2.0);
            assertThat(registry.get("iris.shard.queue.bytes").gauges()).as("one gauge per shard").hasSize(2);
            assertThat(registry.get("iris.overload.level").gauge().value()).isZero();
            assertThat(registry.get("iris.sends").functionCounters())
                .as("one counter per status, each tagged").hasSize(SendStatus.values().length);
            // the sync-latency histogram: one cumulative counter per bucket, its sum in seconds, its count
            final double syncs = registry.get("iris.storage.sync.seconds.count").functionCounter().count();
            assertThat(syncs).as("a sync per group commit").isPositive();
            assertThat(registry.get("iris.storage.sync.seconds.bucket").tag("le", "+Inf").functionCounter().count())
                .isEqualTo(syncs);
            assertThat(registry.get("iris.storage.sync.seconds.bucket").functionCounters()).hasSizeGreaterThan(5);
            assertThat(registry.get("iris.storage.sync.seconds.sum").functionCounter().count())
                .as("seconds, not nanoseconds").isPositive().isLessThan(syncs);
        }
        Await.until(() -> open.value() == 0.0, "the gauge follows the closed connections");
        assertThat(registry.get("iris.transport.connections.open").tag("listener", "client").gauge().getId()
            .getDescription()).isEqualTo("open connections");
    }

    @Test
    void labelValuesAreUnescapedIntoTagsAndAFreedCounterReadsAsNaN() {
        final IrisCounters counters = new IrisCounters(8);
        final AtomicCounter odd = counters.counter("iris_odd_total", "odd labels", "path", "a\"b\\c\nd", "k", "v");
        odd.increment();
        final AtomicCounter depth = counters.gauge("iris_depth", "a gauge");
        depth.setOrdered(7);
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new IrisMetrics(counters).bindTo(registry);
        assertThat(registry.get("iris.odd").tags("path", "a\"b\\c\nd", "k", "v").functionCounter().count()).isEqualTo(1.0);
        final Gauge gauge = registry.get("iris.depth").gauge();
        assertThat(gauge.value()).isEqualTo(7.0);
        counters.free(depth);
        assertThat(gauge.value()).isNaN();
    }

    @Test
    void namesFollowMicrometersConventionAndBadLabelTextIsRefused() {
        assertThat(IrisMetrics.meterName("iris_sends_total", true)).isEqualTo("iris.sends");
        assertThat(IrisMetrics.meterName("iris_shard_queue_bytes", false)).isEqualTo("iris.shard.queue.bytes");
        assertThat(IrisMetrics.labelPairs("")).isEmpty();
        assertThat(IrisMetrics.labelPairs("a=\"x\",b=\"\"")).containsExactly("a", "x", "b", "");
        assertThatThrownBy(() -> IrisMetrics.labelPairs("a=\"x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IrisMetrics.labelPairs("a=\"x\"b=\"y\"")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IrisMetrics(null)).isInstanceOf(NullPointerException.class);
    }
}
