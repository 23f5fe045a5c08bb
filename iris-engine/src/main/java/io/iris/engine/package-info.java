/**
 * The Iris engine: {@link io.iris.engine.IrisEngine} wires the transport, sessions, shards, storage
 * and authentication together behind the {@link io.iris.api.Iris} embedding API.
 */
package io.iris.engine;
