/**
 * Sessions: what happens on an I/O thread for each frame a client sends — login, the per-message
 * checks (authenticated, token still valid, rate limit, admission), and handing commands to shards.
 */
package io.iris.engine.session;
