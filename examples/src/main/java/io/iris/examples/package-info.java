/**
 * The reference standalone server and CLI chat client: {@code java -jar iris-server.jar} with the
 * subcommands {@code serve} (default), {@code mint-token} and {@code chat}.
 */
package io.iris.examples;
