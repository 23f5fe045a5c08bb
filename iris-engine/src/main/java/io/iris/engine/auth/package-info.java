/**
 * Token authentication for the engine: {@link io.iris.engine.auth.JwtAuthenticator} verifies JWTs with
 * configured {@link io.iris.engine.auth.JwtKey}s (HS256, EdDSA, ES256, RS256; the key fixes the algorithm),
 * {@link io.iris.engine.auth.JwtMinter} mints them for development and tests,
 * {@link io.iris.engine.auth.JwtAuthenticatorProvider} wires them to configuration ({@code auth=jwt}), and
 * {@link io.iris.engine.auth.TokenRevocations} / {@link io.iris.engine.auth.RevocationFile} hold and persist
 * revoked token ids. See {@code docs/security.md}.
 */
package io.iris.engine.auth;
