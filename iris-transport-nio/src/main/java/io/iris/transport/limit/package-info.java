/**
 * Per-source-address limits shared by the transport (connection rate and concurrent connections, checked
 * at accept) and the engine (failed logins): an {@link io.iris.transport.limit.AddressKey} names an
 * address (an IPv4 address, or the /64 prefix of an IPv6 address), an
 * {@link io.iris.transport.limit.AddressRateLimiter} is a fixed-capacity table of token buckets, and
 * {@link io.iris.transport.limit.AddressConnectionCounts} counts open connections per address.
 */
package io.iris.transport.limit;
