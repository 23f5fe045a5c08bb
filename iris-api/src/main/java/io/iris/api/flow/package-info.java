/**
 * The engine's overload level as the embedding application sees it ({@link io.iris.api.flow.OverloadLevel},
 * from {@link io.iris.api.Iris#overloadLevel()}). How the level is derived and how SENDs are admitted is the
 * engine's business ({@code io.iris.engine.flow}), not an SPI.
 */
package io.iris.api.flow;
