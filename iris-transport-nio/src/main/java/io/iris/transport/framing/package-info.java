/**
 * Framing as a layer of a connection: how a byte stream (from the socket, or from the TLS layer below) is
 * cut into frames for {@link io.iris.transport.ConnectionHandler#onFrame}, and how frames are wrapped for the
 * wire. {@link io.iris.transport.framing.LengthPrefixFraming} is Iris's own framing; WebSocket binary messages
 * are the next implementation of {@link io.iris.transport.framing.Framing}, in the same event loops.
 */
package io.iris.transport.framing;
