/** {@code discovery=consul}: members are the passing instances of a Consul service; this node registers with a TTL check. */
package io.iris.discovery.consul;
