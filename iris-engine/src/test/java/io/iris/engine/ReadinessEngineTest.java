package io.iris.engine;

import io.iris.api.IrisConfig;
import io.iris.protocol.SendStatus;
import io.iris.storage.memory.MemoryInboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link IrisEngine#notReadyReason()} and the group-commit histograms, with a store whose sync can fail. */
class ReadinessEngineTest {
    private final AtomicBoolean syncFails = new AtomicBoolean();
    private IrisEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void readyUntilASyncFailsAgainWhenOneSucceedsAndNotWhileDraining() throws Exception {
        engine = IrisEngine.builder().config(IrisConfig.of(Map.of("server.port", "0", "engine.shards", "1",
                "auth.jwt.secret", "readiness-test-secret-0123456789abcdefghij")))
            .storage(new ForwardingInboxStore(new MemoryInboxStore()) {
                @Override
                public void sync() {
                    if (syncFails.get()) {
                        throw new IllegalStateException("disk gone");
                    }
                    super.sync();
                }
            }).start();
        assertThat(engine.notReadyReason()).isEmpty();
        assertThat(send(1)).isEqualTo(SendStatus.STORED);
        assertThat(engine.counters().value("iris_storage_sync_seconds_count")).isEqualTo(1);
        assertThat(engine.counters().value("iris_group_commit_batch_records_bucket", "le", "1")).isEqualTo(1);

        syncFails.set(true);
        assertThat(send(2)).isEqualTo(SendStatus.STORAGE_UNAVAILABLE);
        assertThat(engine.notReadyReason()).hasValueSatisfying(r -> assertThat(r).startsWith("storage not writable"));
        assertThat(engine.counters().value("iris_storage_sync_seconds_count")).isEqualTo(2);

        syncFails.set(false);
        assertThat(send(3)).isEqualTo(SendStatus.STORED);
        assertThat(engine.notReadyReason()).isEmpty();

        engine.close();
        assertThat(engine.notReadyReason()).hasValueSatisfying(r -> assertThat(r).startsWith("draining"));
    }

    private SendStatus send(final long id) throws Exception {
        return engine.send("a", "b", id, "x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS).status();
    }
}
