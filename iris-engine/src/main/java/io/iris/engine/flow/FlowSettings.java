package io.iris.engine.flow;

import io.iris.api.IrisConfig;
import io.iris.api.flow.OverloadLevel;

import java.util.Arrays;

/**
 * The flow-control configuration ({@code flow.*} keys), parsed and validated in one place. See
 * {@code docs/architecture.md} ("Flow control") for what each level does.
 *
 * @param highWaterFraction    {@code flow.highWaterFraction}: instant per-shard guard; a SEND to a shard whose
 *                             queue is filled above this fraction is refused at once, whatever the level.
 * @param sampleIntervalMillis {@code flow.sampleIntervalMillis}: how often the signals are sampled.
 * @param dwellMillis          {@code flow.dwellMillis}: how long every signal must stay below the current
 *                             level's exit thresholds before the level steps down one.
 * @param slowShedOneIn        {@code flow.slow.shedOneIn}: at SLOW, one SEND in this many is refused.
 * @param retryAfterMillis     retry-after per level, indexed by {@link OverloadLevel#ordinal()} (0 for NORMAL):
 *                             {@code flow.slow.retryAfterMillis}, {@code flow.shed.retryAfterMillis},
 *                             {@code flow.critical.retryAfterMillis}.
 * @param outboundBudgetBytes  {@code flow.outbound.budgetBytes}: the outbound backlog the {@link Signal#OUTBOUND}
 *                             thresholds are fractions of.
 * @param enter                enter thresholds, {@code [signal][level - 1]} ({@code <signal key>.enter}).
 * @param exit                 exit thresholds, {@code [signal][level - 1]} ({@code <signal key>.exit}).
 */
public record FlowSettings(double highWaterFraction, long sampleIntervalMillis, long dwellMillis, int slowShedOneIn,
                           long[] retryAfterMillis, long outboundBudgetBytes, double[][] enter, double[][] exit) {

    /** Default thresholds per signal: enter SLOW, SHED, CRITICAL, then exit SLOW, SHED, CRITICAL. */
    private static final String[][] DEFAULTS = {
        {"0.25,0.5,0.7", "0.1,0.35,0.6"},       // QUEUE
        {"100,500,2000", "50,250,1000"},        // COMMIT_LATENCY
        {"0.85,0.92,0.97", "0.75,0.88,0.94"},   // HEAP
        {"0.25,0.5,0.75", "0.15,0.4,0.65"},     // OUTBOUND
    };

    /**
     * @param c the configuration.
     * @return the settings, defaults filled in.
     * @throws IllegalArgumentException naming the key, for any bad or inconsistent value.
     */
    public static FlowSettings from(final IrisConfig c) {
        final double highWater = parseDouble("flow.highWaterFraction", c.getString("flow.highWaterFraction", "0.75"));
        if (!(highWater > 0 && highWater < 1)) {
            throw new IllegalArgumentException("config key 'flow.highWaterFraction' = " + highWater
                + " is outside (0, 1)");
        }
        final long[] retry = new long[4];
        final String[] retryKeys = {null, "flow.slow.retryAfterMillis", "flow.shed.retryAfterMillis",
            "flow.critical.retryAfterMillis"};
        final long[] retryDefaults = {0, 50, 250, 1000};
        for (int level = 1; level < 4; level++) {
            retry[level] = c.getInt(retryKeys[level], (int) retryDefaults[level], 1, 3_600_000);
            if (retry[level] < retry[level - 1]) {
                throw new IllegalArgumentException("config key '" + retryKeys[level] + "' = " + retry[level]
                    + " is below '" + retryKeys[level - 1] + "' = " + retry[level - 1]
                    + ": the retry-after must grow with the level");
            }
        }
        final int signals = Signal.count();
        final double[][] enter = new double[signals][];
        final double[][] exit = new double[signals][];
        for (int s = 0; s < signals; s++) {
            final Signal signal = Signal.of(s);
            final String enterKey = signal.key() + ".enter";
            final String exitKey = signal.key() + ".exit";
            enter[s] = thresholds(enterKey, c.getString(enterKey, DEFAULTS[s][0]), signal.max());
            exit[s] = thresholds(exitKey, c.getString(exitKey, DEFAULTS[s][1]), signal.max());
            for (int i = 0; i < 3; i++) {
                if (!(exit[s][i] < enter[s][i])) {
                    throw new IllegalArgumentException("config key '" + exitKey + "': the exit threshold of "
                        + OverloadLevel.of(i + 1) + " (" + exit[s][i] + ") must be below its enter threshold in '"
                        + enterKey + "' (" + enter[s][i] + ")");
                }
            }
        }
        return new FlowSettings(highWater,
            c.getInt("flow.sampleIntervalMillis", 25, 1, 60_000),
            c.getInt("flow.dwellMillis", 2_000, 0, 3_600_000),
            c.getInt("flow.slow.shedOneIn", 4, 1, 1_000_000),
            retry,
            outboundBudget(c),
            enter, exit);
    }

    private static long outboundBudget(final IrisConfig c) {
        final long budget = c.getLong("flow.outbound.budgetBytes", 256L * 1024 * 1024);
        if (budget < 1) {
            throw new IllegalArgumentException("config key 'flow.outbound.budgetBytes' = " + budget
                + " must be at least 1");
        }
        return budget;
    }

    /**
     * Parses three strictly ascending positive thresholds, e.g. {@code "0.25,0.5,0.7"}.
     *
     * @param key   the key, for errors.
     * @param value the configured text.
     * @param max   the largest allowed value.
     * @return the thresholds for SLOW, SHED, CRITICAL.
     */
    static double[] thresholds(final String key, final String value, final double max) {
        final String[] parts = value.split(",", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("config key '" + key + "' = '" + value
                + "' must list three thresholds (SLOW,SHED,CRITICAL) separated by commas");
        }
        final double[] t = new double[3];
        for (int i = 0; i < 3; i++) {
            t[i] = parseDouble(key, parts[i].trim());
            if (!(t[i] > 0 && t[i] <= max)) {
                throw new IllegalArgumentException("config key '" + key + "' = '" + value + "': threshold "
                    + t[i] + " must be above 0" + (max < Double.MAX_VALUE ? " and at most " + max : ""));
            }
            if (i > 0 && !(t[i] > t[i - 1])) {
                throw new IllegalArgumentException("config key '" + key + "' = '" + value
                    + "': thresholds must be strictly ascending (SLOW < SHED < CRITICAL)");
            }
        }
        return t;
    }

    private static double parseDouble(final String key, final String text) {
        try {
            final double d = Double.parseDouble(text);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (final NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("config key '" + key + "' = '" + text + "' is not a number");
    }

    /**
     * @param level a level above NORMAL.
     * @return the retry-after answered with OVERLOADED at that level.
     */
    public long retryAfterMillis(final OverloadLevel level) {
        return retryAfterMillis[level.ordinal()];
    }

    @Override
    public String toString() {
        final StringBuilder b = new StringBuilder("FlowSettings[highWaterFraction=").append(highWaterFraction)
            .append(", sampleIntervalMillis=").append(sampleIntervalMillis).append(", dwellMillis=").append(dwellMillis)
            .append(", slowShedOneIn=").append(slowShedOneIn)
            .append(", retryAfterMillis=").append(Arrays.toString(retryAfterMillis))
            .append(", outboundBudgetBytes=").append(outboundBudgetBytes);
        for (int s = 0; s < Signal.count(); s++) {
            b.append(", ").append(Signal.of(s).key()).append(": enter=").append(Arrays.toString(enter[s]))
                .append(" exit=").append(Arrays.toString(exit[s]));
        }
        return b.append(']').toString();
    }
}
