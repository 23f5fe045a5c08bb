package io.iris.engine.session;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedLogTest {
    @Test
    void writesTheFirstOfEachIntervalAndCountsTheRest() {
        final AtomicLong now = new AtomicLong(-5); // any origin, even negative
        final List<String> lines = new ArrayList<>();
        final RateLimitedLog log = new RateLimitedLog(10_000, now::get, lines::add);
        log.log("refused a");
        for (int i = 0; i < 1000; i++) {
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
            log.log("refused b" + i);
        }
        assertThat(lines).hasSize(1).containsExactly("refused a");
        now.addAndGet(TimeUnit.SECONDS.toNanos(6)); // 11 s after the first line
        log.log("refused c");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).isEqualTo("refused c (1000 more like it not logged in the 11 s before)");
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        log.log("refused d");
        assertThat(lines.get(2)).isEqualTo("refused d");
    }
}
