package io.iris.engine.flow;

import io.iris.api.IrisConfig;
import io.iris.api.flow.OverloadLevel;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowSettingsTest {
    private static FlowSettings parse(final Map<String, String> values) {
        return FlowSettings.from(IrisConfig.of(values));
    }

    @Test
    void defaults() {
        final FlowSettings s = parse(Map.of());
        assertThat(s.highWaterFraction()).isEqualTo(0.75);
        assertThat(s.sampleIntervalMillis()).isEqualTo(25);
        assertThat(s.dwellMillis()).isEqualTo(2000);
        assertThat(s.slowShedOneIn()).isEqualTo(4);
        assertThat(s.retryAfterMillis(OverloadLevel.SLOW)).isEqualTo(50);
        assertThat(s.retryAfterMillis(OverloadLevel.SHED)).isEqualTo(250);
        assertThat(s.retryAfterMillis(OverloadLevel.CRITICAL)).isEqualTo(1000);
        assertThat(s.outboundBudgetBytes()).isEqualTo(256L << 20);
        assertThat(s.enter()[Signal.QUEUE.ordinal()]).containsExactly(0.25, 0.5, 0.7);
        assertThat(s.exit()[Signal.COMMIT_LATENCY.ordinal()]).containsExactly(50, 250, 1000);
        assertThat(s.enter()[Signal.HEAP.ordinal()]).containsExactly(0.85, 0.92, 0.97);
        assertThat(s.exit()[Signal.OUTBOUND.ordinal()]).containsExactly(0.15, 0.4, 0.65);
    }

    @Test
    void parsesThresholdsAndBudgetWithSizeSuffix() {
        final FlowSettings s = parse(Map.of("flow.commitLatencyMillis.enter", " 10, 20 ,30",
            "flow.commitLatencyMillis.exit", "1,2,3", "flow.outbound.budgetBytes", "64m"));
        assertThat(s.enter()[Signal.COMMIT_LATENCY.ordinal()]).containsExactly(10, 20, 30);
        assertThat(s.outboundBudgetBytes()).isEqualTo(64L << 20);
    }

    @Test
    void exitMustBeBelowEnter() {
        assertThatThrownBy(() -> parse(Map.of("flow.queue.exit", "0.1,0.5,0.6")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'flow.queue.exit'").hasMessageContaining("SHED").hasMessageContaining("flow.queue.enter");
    }

    @Test
    void thresholdsMustBeOrderedAndThree() {
        assertThatThrownBy(() -> parse(Map.of("flow.heap.enter", "0.9,0.8,0.95")))
            .hasMessageContaining("'flow.heap.enter'").hasMessageContaining("ascending");
        assertThatThrownBy(() -> parse(Map.of("flow.heap.enter", "0.9,0.95")))
            .hasMessageContaining("'flow.heap.enter'").hasMessageContaining("three");
        assertThatThrownBy(() -> parse(Map.of("flow.heap.enter", "0.9,0.95,1.5")))
            .hasMessageContaining("'flow.heap.enter'").hasMessageContaining("at most 1.0");
        assertThatThrownBy(() -> parse(Map.of("flow.outbound.exit", "0,0.2,0.3")))
            .hasMessageContaining("'flow.outbound.exit'").hasMessageContaining("above 0");
        assertThatThrownBy(() -> parse(Map.of("flow.queue.enter", "a,b,c")))
            .hasMessageContaining("'flow.queue.enter'").hasMessageContaining("not a number");
    }

    @Test
    void retryAfterMustGrowWithTheLevel() {
        assertThatThrownBy(() -> parse(Map.of("flow.shed.retryAfterMillis", "10")))
            .hasMessageContaining("'flow.shed.retryAfterMillis'").hasMessageContaining("flow.slow.retryAfterMillis");
    }

    @Test
    void otherKeysAreRangeChecked() {
        assertThatThrownBy(() -> parse(Map.of("flow.highWaterFraction", "1")))
            .hasMessageContaining("'flow.highWaterFraction'");
        assertThatThrownBy(() -> parse(Map.of("flow.sampleIntervalMillis", "0")))
            .hasMessageContaining("'flow.sampleIntervalMillis'");
        assertThatThrownBy(() -> parse(Map.of("flow.slow.shedOneIn", "0")))
            .hasMessageContaining("'flow.slow.shedOneIn'");
        assertThatThrownBy(() -> parse(Map.of("flow.outbound.budgetBytes", "0")))
            .hasMessageContaining("'flow.outbound.budgetBytes'");
    }
}
