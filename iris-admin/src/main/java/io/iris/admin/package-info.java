/**
 * The admin HTTP server of an Iris instance: Prometheus metrics, liveness and readiness, and an optional admin
 * API, on a port of its own (loopback by default), separate from the client port.
 */
package io.iris.admin;
