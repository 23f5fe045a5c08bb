/** Admission control: {@link io.iris.engine.flow.QueueDepthFlowController}. */
package io.iris.engine.flow;
