/** Micrometer support: {@link io.iris.micrometer.IrisMetrics} binds an Iris instance's counters to a MeterRegistry. */
package io.iris.micrometer;
