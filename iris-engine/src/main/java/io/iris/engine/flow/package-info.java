/**
 * Flow control: the {@link io.iris.engine.flow.FlowController} contract (SEND admission);
 * {@link io.iris.engine.flow.OverloadFlowController} derives the engine's
 * {@link io.iris.api.flow.OverloadLevel} from the {@link io.iris.engine.flow.Signal}s through a
 * {@link io.iris.engine.flow.LevelStateMachine} and answers SENDs accordingly; configured by
 * {@link io.iris.engine.flow.FlowSettings}.
 */
package io.iris.engine.flow;
