/** Per-user rate limits (a token bucket shared by every device of a user) and failed-login limits per source address. */
package io.iris.engine.ratelimit;
