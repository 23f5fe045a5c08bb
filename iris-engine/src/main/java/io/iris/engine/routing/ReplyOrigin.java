package io.iris.engine.routing;

/**
 * Who is waiting for a shard's answer to a SEND or a presence query, written into the command next to a
 * {@code long} whose meaning depends on the kind. The shard answers by the kind, never by guessing from the
 * value:
 * <ul>
 *   <li>{@link #CLIENT}: the value is the {@link io.iris.engine.placement.DeviceAddress} of the asking
 *       client's connection; the answer is a frame (SEND_ACK, PRESENCE) sent to it through the shard's
 *       {@link io.iris.engine.egress.Egress}, on this node or, over a node link, on the node holding it.</li>
 *   <li>{@link #API}: the value is a request id of this node's embedding API ({@link PendingRequests}); the
 *       answer completes that request's future.</li>
 *   <li>{@link #PEER}: the value is a {@link io.iris.engine.placement.DeviceAddress} whose node is the asking
 *       peer node and whose connection part is that node's request id; the answer is the same frame as for a
 *       client, sent through the Egress to that address, where the peer's node link completes its request.</li>
 * </ul>
 */
public final class ReplyOrigin {
    /** A client connection: the value is its device address. */
    public static final byte CLIENT = 1;
    /** The embedding API of this node: the value is a request id. */
    public static final byte API = 2;
    /** A peer node's request: the value is a device address on that node naming the request. */
    public static final byte PEER = 3;

    private ReplyOrigin() {
    }
}
