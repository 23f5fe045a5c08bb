/**
 * The Java client SDK of Iris: {@link io.iris.client.IrisClient} keeps one device's session with a
 * server alive (login, reconnection with backoff, resume from a cursor, at-least-once delivery with
 * client-side dedup, re-sending unanswered messages with their original ids). Depends on the JDK (Java 17)
 * and {@code iris-protocol} only; see {@code docs/client.md}.
 */
package io.iris.client;
