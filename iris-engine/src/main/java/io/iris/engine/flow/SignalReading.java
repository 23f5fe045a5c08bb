package io.iris.engine.flow;

import java.util.Objects;

/**
 * One overload signal as last sampled, with the thresholds it is compared with ({@link
 * OverloadFlowController#readings()}).
 *
 * @param signal the signal.
 * @param value  its last sampled value, in {@link Signal#unit()}.
 * @param enter  enter thresholds of SLOW, SHED, CRITICAL.
 * @param exit   exit thresholds of SLOW, SHED, CRITICAL.
 */
public record SignalReading(Signal signal, double value, double[] enter, double[] exit) {
    /** Validates. */
    public SignalReading {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(enter, "enter");
        Objects.requireNonNull(exit, "exit");
    }
}
