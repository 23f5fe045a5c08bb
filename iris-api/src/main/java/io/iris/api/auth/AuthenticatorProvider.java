package io.iris.api.auth;

import io.iris.api.spi.NamedProvider;

/**
 * Creates an {@link Authenticator}; registered in
 * {@code META-INF/services/io.iris.api.auth.AuthenticatorProvider} and chosen by the {@code auth}
 * configuration key.
 */
public interface AuthenticatorProvider extends NamedProvider<Authenticator> {
}
