package io.iris.engine.flow;

import io.iris.api.flow.OverloadLevel;

/**
 * The overload level as a function of the signals over time: pure logic, fed sampled values and a clock,
 * so it can be tested without threads. Not thread-safe: one sampler thread updates it.
 *
 * <p>Per signal, the <i>target</i> is the highest level whose enter threshold the value reaches; the
 * engine's target is the maximum over the signals. Rules:
 * <ul>
 *   <li><b>Up is immediate</b>: a target above the current level becomes the level at once (it may skip
 *       levels).</li>
 *   <li><b>Down is slow, one level at a time</b>: the level steps down by one only after every signal has
 *       stayed below its exit threshold <i>of the current level</i> for {@code dwellNanos} (continuously:
 *       a single sample at or above it restarts the wait). After a step the wait starts again for the
 *       next one.</li>
 *   <li>Between a level's exit and enter thresholds nothing changes (hysteresis), so a signal hovering
 *       around one threshold cannot make the level flap.</li>
 * </ul>
 */
public final class LevelStateMachine {
    private static final long NOT_CALM = Long.MIN_VALUE;

    private final double[][] enter;
    private final double[][] exit;
    private final long dwellNanos;
    private int level;
    private long calmSince = NOT_CALM;
    private int cause = -1;

    /**
     * @param enter      enter thresholds, {@code [signal][level - 1]}, ascending per signal.
     * @param exit       exit thresholds, {@code [signal][level - 1]}, each below its enter threshold.
     * @param dwellNanos how long the signals must stay below the exit thresholds before a step down.
     */
    public LevelStateMachine(final double[][] enter, final double[][] exit, final long dwellNanos) {
        if (enter.length != exit.length) {
            throw new IllegalArgumentException("enter and exit thresholds differ in signal count");
        }
        this.enter = enter.clone();
        this.exit = exit.clone();
        this.dwellNanos = dwellNanos;
    }

    /**
     * Feeds one sample.
     *
     * @param values    each signal's value, indexed like the thresholds.
     * @param nowNanos  a monotonic clock.
     * @return true if the level changed.
     */
    public boolean update(final double[] values, final long nowNanos) {
        int target = 0;
        int targetSignal = -1;
        for (int s = 0; s < enter.length; s++) {
            final int t = levelOf(enter[s], values[s]);
            if (t > target) {
                target = t;
                targetSignal = s;
            }
        }
        if (target > level) {
            level = target;
            cause = targetSignal;
            calmSince = NOT_CALM;
            return true;
        }
        if (level == 0) {
            return false;
        }
        int loudest = -1;
        double loudestRatio = -1;
        boolean calm = true;
        for (int s = 0; s < exit.length; s++) {
            final double ratio = values[s] / exit[s][level - 1];
            if (ratio >= 1) {
                calm = false;
            }
            if (ratio > loudestRatio) {
                loudestRatio = ratio;
                loudest = s;
            }
        }
        if (!calm) {
            calmSince = NOT_CALM;
            return false;
        }
        if (calmSince == NOT_CALM) {
            calmSince = nowNanos;
        }
        if (nowNanos - calmSince < dwellNanos) {
            return false;
        }
        level--;
        cause = loudest;
        calmSince = nowNanos;
        return true;
    }

    private static int levelOf(final double[] thresholds, final double value) {
        for (int l = thresholds.length; l > 0; l--) {
            if (value >= thresholds[l - 1]) {
                return l;
            }
        }
        return 0;
    }

    /** @return the current level. */
    public OverloadLevel level() {
        return OverloadLevel.of(level);
    }

    /**
     * @return the signal behind the last change: the one that pushed the level up, or after a step down the
     * one closest to its exit threshold; null before any change.
     */
    public Signal cause() {
        return cause < 0 ? null : Signal.of(cause);
    }
}
