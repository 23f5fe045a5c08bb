/**
 * The Chronicle Queue storage provider ({@code storage=chronicle}): the embedded durable default. A
 * write-ahead log of typed records on memory-mapped files, with group-commit fsync, retention by
 * acknowledgement and TTL, a disk guard, and start-up recovery by replay. See
 * {@link io.iris.storage.chronicle.ChronicleInboxStore} and {@code docs/durability.md}.
 */
package io.iris.storage.chronicle;
