package io.iris.api.discovery;

/**
 * One node of the cluster.
 *
 * @param id   a stable identifier, unique in the cluster (used for consistent hashing).
 * @param host the host name or address other nodes connect to.
 * @param port the node-to-node port.
 */
public record Member(String id, String host, int port) {
}
