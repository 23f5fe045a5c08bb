/** The authentication SPI: turns the token of a LOGIN frame into a {@link io.iris.api.auth.Principal}. */
package io.iris.api.auth;
