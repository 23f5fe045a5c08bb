/**
 * The server side of the Iris NIO transport: {@link io.iris.transport.NioServer} accepts
 * connections on a few I/O threads, reassembles length-prefixed frames and hands each complete frame
 * to a {@link io.iris.transport.ConnectionHandler}; other threads send to a connection through
 * {@link io.iris.transport.NioServer#offer}.
 */
package io.iris.transport;
