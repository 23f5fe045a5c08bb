package io.iris.engine.flow;

import io.iris.api.flow.OverloadLevel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.iris.api.flow.OverloadLevel.CRITICAL;
import static io.iris.api.flow.OverloadLevel.NORMAL;
import static io.iris.api.flow.OverloadLevel.SHED;
import static io.iris.api.flow.OverloadLevel.SLOW;
import static org.assertj.core.api.Assertions.assertThat;

/** The level state machine with injected signal values and a manual clock. */
class LevelStateMachineTest {
    private static final long MS = 1_000_000L;
    /** Two signals: A with thresholds 10/20/30 (exit 5/15/25), B with 1/2/3 (exit 0.5/1.5/2.5). */
    private static final double[][] ENTER = {{10, 20, 30}, {1, 2, 3}};
    private static final double[][] EXIT = {{5, 15, 25}, {0.5, 1.5, 2.5}};
    private static final long DWELL = 100 * MS;

    private final LevelStateMachine m = new LevelStateMachine(ENTER, EXIT, DWELL);
    private long now = 1_000 * MS;

    private boolean feed(final double a, final double b) {
        return m.update(new double[] {a, b}, now);
    }

    @Test
    void climbsThroughEveryLevelImmediately() {
        assertThat(feed(9.99, 0)).isFalse();
        assertThat(m.level()).isEqualTo(NORMAL);
        assertThat(feed(10, 0)).isTrue();
        assertThat(m.level()).isEqualTo(SLOW);
        assertThat(m.cause()).isEqualTo(Signal.QUEUE);
        assertThat(feed(20, 0)).isTrue();
        assertThat(m.level()).isEqualTo(SHED);
        assertThat(feed(30, 0)).isTrue();
        assertThat(m.level()).isEqualTo(CRITICAL);
        assertThat(feed(1000, 0)).isFalse();
        assertThat(m.level()).isEqualTo(CRITICAL);
    }

    @Test
    void jumpsStraightToTheHighestLevelReached() {
        assertThat(feed(0, 3.5)).isTrue();
        assertThat(m.level()).isEqualTo(CRITICAL);
        assertThat(m.cause()).isEqualTo(Signal.COMMIT_LATENCY);
    }

    @Test
    void levelIsTheMaximumOverSignals() {
        feed(25, 1.2); // A says SHED, B says SLOW
        assertThat(m.level()).isEqualTo(SHED);
        assertThat(m.cause()).isEqualTo(Signal.QUEUE);
        feed(0, 3); // B says CRITICAL
        assertThat(m.level()).isEqualTo(CRITICAL);
        assertThat(m.cause()).isEqualTo(Signal.COMMIT_LATENCY);
    }

    @Test
    void doesNotLeaveALevelWhileAnySignalIsAtOrAboveItsExitThreshold() {
        feed(20, 0);
        assertThat(m.level()).isEqualTo(SHED);
        for (int i = 0; i < 50; i++) {
            now += DWELL;
            // A has dropped below SHED's exit, but B sits exactly at it
            assertThat(feed(1, 1.5)).isFalse();
            assertThat(m.level()).isEqualTo(SHED);
        }
    }

    @Test
    void noFlappingBetweenExitAndEnter() {
        feed(10, 0);
        assertThat(m.level()).isEqualTo(SLOW);
        final Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            now += random.nextInt(50) * MS;
            // anywhere in SLOW's hysteresis band [exit 5, enter-of-SHED 20)
            assertThat(feed(5 + random.nextDouble() * 14.99, random.nextDouble() * 0.5)).isFalse();
            assertThat(m.level()).isEqualTo(SLOW);
        }
    }

    @Test
    void stepsDownOneLevelAtATimeEachAfterTheDwell() {
        feed(35, 0);
        assertThat(m.level()).isEqualTo(CRITICAL);
        final List<OverloadLevel> seen = new ArrayList<>();
        long lastChange = now;
        for (int i = 0; i < 100 && m.level() != NORMAL; i++) {
            now += 10 * MS;
            if (feed(0, 0)) {
                seen.add(m.level());
                assertThat(now - lastChange).as("dwell before each step").isGreaterThanOrEqualTo(DWELL);
                lastChange = now;
            }
        }
        assertThat(seen).containsExactly(SHED, SLOW, NORMAL);
    }

    @Test
    void aSampleAboveTheExitRestartsTheDwell() {
        feed(20, 0);
        now += 10 * MS;
        feed(0, 0); // calm from here
        now += DWELL - 10 * MS;
        assertThat(feed(0, 0)).isFalse();
        now += 5 * MS;
        feed(16, 0); // above SHED's exit (15): not calm
        now += 5 * MS;
        assertThat(feed(0, 0)).isFalse(); // calm again, the wait starts over
        now += DWELL - MS;
        assertThat(feed(0, 0)).isFalse();
        assertThat(m.level()).isEqualTo(SHED);
        now += MS;
        assertThat(feed(0, 0)).isTrue();
        assertThat(m.level()).isEqualTo(SLOW);
    }

    @Test
    void stepsDownOnlyToTheLevelTheSignalsStillJustify() {
        feed(30, 0);
        now += 1;
        feed(16, 0); // below CRITICAL's exit 25, above SHED's exit 15
        now += DWELL;
        assertThat(feed(16, 0)).isTrue();
        assertThat(m.level()).isEqualTo(SHED);
        for (int i = 0; i < 20; i++) {
            now += DWELL;
            assertThat(feed(16, 0)).isFalse();
        }
        assertThat(m.level()).isEqualTo(SHED);
    }

    @Test
    void risesAgainImmediatelyWhileWaitingToStepDown() {
        feed(20, 0);
        now += DWELL / 2;
        feed(0, 0);
        now += DWELL / 4;
        assertThat(feed(0, 3)).isTrue();
        assertThat(m.level()).isEqualTo(CRITICAL);
    }

    @Test
    void zeroDwellStepsAtTheFirstCalmSample() {
        final LevelStateMachine quick = new LevelStateMachine(ENTER, EXIT, 0);
        quick.update(new double[] {30, 0}, 0);
        assertThat(quick.update(new double[] {0, 0}, 1)).isTrue();
        assertThat(quick.level()).isEqualTo(SHED);
        assertThat(quick.update(new double[] {0, 0}, 2)).isTrue();
        assertThat(quick.update(new double[] {0, 0}, 3)).isTrue();
        assertThat(quick.level()).isEqualTo(NORMAL);
        assertThat(quick.update(new double[] {0, 0}, 4)).isFalse();
    }
}
