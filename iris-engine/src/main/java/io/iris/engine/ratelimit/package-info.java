/** Per-user rate limits: a token bucket shared by every device of a user. */
package io.iris.engine.ratelimit;
