/**
 * The embedding API of Iris: the running engine ({@link io.iris.api.Iris}), its configuration
 * ({@link io.iris.api.IrisConfig}), the outcomes an application and a client see
 * ({@link io.iris.protocol.SendStatus}, {@link io.iris.protocol.ErrorCode}) and the hook for messages to
 * offline users ({@link io.iris.api.OfflineListener}).
 *
 * <p>This module depends on Agrona only. Engine internals, the transport and every provider depend
 * on it; it depends on none of them.
 */
package io.iris.api;
