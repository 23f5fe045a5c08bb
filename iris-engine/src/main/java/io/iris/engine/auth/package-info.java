/**
 * Token authentication for the engine: {@link io.iris.engine.auth.JwtAuthenticator} verifies HS256
 * JWTs, {@link io.iris.engine.auth.JwtMinter} mints them for development and tests, and
 * {@link io.iris.engine.auth.JwtAuthenticatorProvider} wires them to configuration ({@code auth=jwt}).
 */
package io.iris.engine.auth;
