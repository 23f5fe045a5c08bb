package io.iris.engine.placement;

import io.iris.engine.routing.Shard;
import org.agrona.DirectBuffer;

import java.util.Objects;

/** {@link Placement} of a single-node engine: every user's home is the local node, node 0. */
public final class SingleNodePlacement implements Placement {
    /** The index of the only node. */
    public static final int NODE = 0;

    private final Shard shards;

    /** @param shards maps users to this node's shards. */
    public SingleNodePlacement(final Shard shards) {
        this.shards = Objects.requireNonNull(shards, "shards");
    }

    @Override
    public int localNode() {
        return NODE;
    }

    @Override
    public Shard shards() {
        return shards;
    }

    @Override
    public int nodeOf(final DirectBuffer userId, final int offset, final int length) {
        return NODE;
    }

    @Override
    public int nodeOf(final String userId) {
        return NODE;
    }
}
