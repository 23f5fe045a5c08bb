/**
 * The server's codec of the Iris wire protocol (docs/protocol.md), over Agrona buffers:
 * {@link io.iris.transport.protocol.FrameEncoder} writes frames and
 * {@link io.iris.transport.protocol.FrameDecoder} validates and reads them in place, without allocating.
 * Both follow the one descriptor per frame of {@link io.iris.protocol.frame} (named offsets);
 * {@link io.iris.protocol.Protocol} holds the constants. Clients use the JDK-only twin in
 * {@code io.iris.protocol.codec}, held to the same bytes by a property test.
 */
package io.iris.transport.protocol;
