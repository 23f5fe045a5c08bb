/**
 * The Iris NIO transport: {@link io.iris.transport.NioTransport} runs a fixed set of event loops that serve
 * several {@link io.iris.transport.Listener}s and outbound connections, each connection built from layers (TLS
 * or plain under a {@link io.iris.transport.framing.Framing}) with a per-listener
 * {@link io.iris.transport.WritePolicy}; other threads write by connection id with
 * {@link io.iris.transport.NioTransport#offer}.
 */
package io.iris.transport;
