/**
 * The Iris wire protocol (docs/protocol.md) as code: {@link io.iris.protocol.Protocol} holds
 * the constants and layouts, {@link io.iris.transport.protocol.FrameEncoder} writes frames and
 * {@link io.iris.transport.protocol.FrameDecoder} validates and reads them in place, without
 * allocating.
 */
package io.iris.transport.protocol;
