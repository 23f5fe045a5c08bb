package io.iris.api;

/**
 * The embedding application's answer to "does this recipient exist?", asked before a message is stored.
 *
 * <p>Why: Iris has no user directory. Without a validator any valid user id ({@link UserIds}) is a
 * recipient, and each new one costs state that lives until retention removes it (the inbox in storage,
 * its sequence number for ever). An authenticated sender could spread messages over millions of made-up
 * ids within its rate limit. An application that knows its users plugs in a validator and such SENDs are
 * answered {@link io.iris.protocol.SendStatus#INVALID_RECIPIENT}, storing nothing and creating no per-user state
 * (see docs/security.md, "Per-user state").
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Called on an engine shard thread for every SEND (from clients and from {@link Iris#send}) whose
 *       recipient is a valid user id, before anything is stored. It must be fast and must not block: answer
 *       from memory (a set, a Bloom filter, a cache the application refreshes on its own threads).</li>
 *   <li>Called from several shard threads at once (for different recipients): thread-safe.</li>
 *   <li>A {@link RuntimeException} it throws is treated as "does not exist" and logged.</li>
 * </ul>
 */
@FunctionalInterface
public interface RecipientValidator {
    /** Every valid user id is a recipient: the default, no directory. */
    RecipientValidator ANY = recipientId -> true;

    /**
     * @param recipientId a valid user id ({@link UserIds}).
     * @return true if messages to this user may be stored.
     */
    boolean exists(String recipientId);
}
