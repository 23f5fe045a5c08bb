/**
 * The engine's counters in the instance's {@link io.iris.api.counters.IrisCounters} registry:
 * {@link io.iris.engine.counters.EngineCounters}.
 */
package io.iris.engine.counters;
