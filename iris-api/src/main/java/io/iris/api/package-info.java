/**
 * The embedding API of Iris: the running engine ({@link io.iris.api.Iris}), its configuration
 * ({@link io.iris.api.IrisConfig}), the outcomes an application and a client see
 * ({@link io.iris.protocol.SendStatus}, {@link io.iris.protocol.ErrorCode}), the hooks for messages to
 * offline users ({@link io.iris.api.OfflineListener}) and for recipients ({@link io.iris.api.RecipientValidator}),
 * and the overload level ({@link io.iris.api.flow}).
 *
 * <p>Beside it, the real SPIs, meant to be implemented outside the engine: storage ({@link io.iris.api.storage}),
 * discovery ({@link io.iris.api.discovery}) and authentication ({@link io.iris.api.auth}), found by name through
 * {@link io.iris.api.spi}; and the counters registry every component updates ({@link io.iris.api.counters}).
 * The engine's own named interfaces (routing, shards, flow control, group commit) are not SPIs and live in
 * {@code iris-engine}.
 *
 * <p>This module depends on Agrona and {@code iris-protocol} only. Engine internals, the transport and every
 * provider depend on it; it depends on none of them.
 */
package io.iris.api;
