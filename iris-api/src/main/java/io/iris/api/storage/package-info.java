/**
 * The storage SPI: every user has an append-only inbox log with a monotonically increasing sequence
 * number, each of the user's devices has a cursor, and records are trimmed once every known device
 * has acknowledged them. See {@link io.iris.api.storage.InboxStore} for the contract.
 */
package io.iris.api.storage;
