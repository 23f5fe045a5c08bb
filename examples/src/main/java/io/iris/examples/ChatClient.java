package io.iris.examples;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.Presence;
import io.iris.protocol.SendReceipt;
import io.iris.client.IrisClient;

import io.iris.client.IrisClientException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The CLI chat client: each line typed is sent to the current peer; {@code /to USER} changes the peer,
 * {@code /who USER} asks for presence, {@code /quit} leaves. Incoming messages print as they arrive,
 * in inbox order, each once; the server remembers what this device acknowledged, so a restarted
 * client continues where it stopped.
 *
 * <p>Failures a user causes are one line, never a stack trace: a token the server refuses (signed with another
 * key, expired, revoked) ends the chat with the server's reason and exit code 1, also when it happens during
 * the chat (a revoked token: the client stops for good and the chat says why and exits).
 */
final class ChatClient {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private ChatClient() {
    }

    /** Exit code of a chat that ended because the server refused its token or the client stopped. */
    static final int REFUSED = 1;

    /** One thing the chat loop reacts to: a typed line, the end of input, or the client stopping. */
    private record Event(String line, IrisClientException stopped) {
        static final Event END_OF_INPUT = new Event(null, null);
    }

    /**
     * @param args  {@code --token=T [--to=USER] [--host=H] [--port=P] [--device=D] [--tls] [--ca=PEM]}.
     * @param stdin the lines to send.
     * @param out   where messages and status lines go.
     * @return 0 after /quit or the end of input; {@link #REFUSED} when the server refused the token or the
     *         client stopped for good.
     * @throws IllegalArgumentException for bad options.
     */
    static int run(final List<String> args, final InputStream stdin, final PrintStream out) throws InterruptedException {
        final Map<String, String> opts = new HashMap<>(Map.of("host", "127.0.0.1", "port", "7700", "device", "cli"));
        for (final String a : args) {
            if (a.equals("--tls")) {
                opts.put("tls", "true");
                continue;
            }
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("chat options look like --name=value, not '" + a + "'");
            }
            opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        if (!opts.containsKey("token")) {
            throw new IllegalArgumentException("chat needs --token=TOKEN (mint one with: mint-token USER)");
        }
        final int port;
        try {
            port = Integer.parseInt(opts.get("port"));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("chat --port=" + opts.get("port") + " is not a port number", e);
        }
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final IrisClient.Builder builder = IrisClient.builder();
        if (opts.containsKey("ca")) {
            builder.tls(java.nio.file.Path.of(opts.get("ca")));
        } else if (opts.containsKey("tls")) {
            builder.tls((java.nio.file.Path) null); // the JDK's default trust store
        }
        final IrisClient client = builder
            .address(opts.get("host"), port)
            .token(opts.get("token"))
            .deviceId(opts.get("device"))
            .listener(new IrisClient.Listener() {
                @Override
                public void onMessage(final IrisClient.Delivery d) {
                    out.println("[" + TIME.format(Instant.ofEpochMilli(d.serverTimeMillis())) + " #" + d.seq() + "] "
                        + d.sender() + ": " + new String(d.payload(), StandardCharsets.UTF_8));
                }

                @Override
                public void onConnected(final long cursor, final long lastSeq) {
                    out.println("* connected; " + (lastSeq - cursor) + " waiting message(s)");
                }

                @Override
                public void onDisconnected(final ErrorCode code, final String reason) {
                    out.println("* disconnected" + (code == null ? "" : " (" + code + ")") + ": " + reason);
                }

                @Override
                public void onStopped(final IrisClientException cause) {
                    events.add(new Event(null, cause));
                }
            })
            .build();
        try (client) {
            out.println("* connecting to " + opts.get("host") + ":" + port + " ...");
            try {
                client.connect().get(30, TimeUnit.SECONDS);
            } catch (final ExecutionException e) {
                out.println("* " + refusal(e.getCause()));
                return REFUSED;
            } catch (final TimeoutException e) {
                out.println("* could not log in to " + opts.get("host") + ":" + port
                    + " within 30 s (is the server running there?)");
                return REFUSED;
            }
            String peer = opts.get("to");
            out.println("* type a line to send it" + (peer == null ? " (first choose a peer: /to USER)" : " to " + peer)
                + "; /to USER, /who USER, /quit");
            startReader(stdin, events);
            while (true) {
                final Event event = events.take();
                if (event.stopped() != null) {
                    out.println("* " + refusal(event.stopped()));
                    return REFUSED;
                }
                final String line = event.line();
                if (line == null || line.equals("/quit")) {
                    return 0;
                }
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("/to ")) {
                    peer = line.substring(4).trim();
                    out.println("* now talking to " + peer);
                    continue;
                }
                if (line.startsWith("/who ")) {
                    client.presence(line.substring(5).trim()).whenComplete((Presence p, Throwable t) -> out.println(
                        t != null ? "* presence unknown: " + t.getMessage()
                            : "* " + p.userId() + (p.online() ? " is online"
                            : p.lastSeenMillis() == 0 ? " has not been seen" : " was last seen "
                            + TIME.format(Instant.ofEpochMilli(p.lastSeenMillis())))));
                    continue;
                }
                if (peer == null) {
                    out.println("* choose a peer first: /to USER");
                    continue;
                }
                final String to = peer;
                client.send(to, line.getBytes(StandardCharsets.UTF_8)).whenComplete((SendReceipt r, Throwable t) -> {
                    if (t != null) {
                        out.println("* not sent: " + t.getMessage());
                    } else if (!r.status().isStored()) {
                        out.println("* not sent to " + to + ": " + r.status()
                            + (r.retryAfterMillis() > 0 ? " (retry in " + r.retryAfterMillis() + " ms)" : ""));
                    }
                });
            }
        }
    }

    /** Reads typed lines on a daemon thread, so that the chat can end while a read is blocked. */
    private static void startReader(final InputStream stdin, final BlockingQueue<Event> events) {
        final Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    events.add(new Event(line, null));
                }
            } catch (final IOException e) {
                // end of input as far as the chat is concerned
            }
            events.add(Event.END_OF_INPUT);
        }, "chat-input");
        reader.setDaemon(true);
        reader.start();
    }

    /** @return one line saying why the server refused the session or the client stopped. */
    static String refusal(final Throwable failure) {
        if (!(failure instanceof IrisClientException e)) {
            return "cannot chat: " + failure;
        }
        if (e.code() == ErrorCode.AUTH_FAILED) {
            return "the server refused the token (AUTH_FAILED: " + e.getMessage() + ")"
                + (e.getMessage().contains("signature")
                ? ": it was not signed with this server's key. Mint tokens with the server's configuration"
                    + " (mint-token reads the same auth.jwt.secret or dev.secretFile as the server)"
                : "") + "; exiting";
        }
        if (e.code() == ErrorCode.TOKEN_EXPIRED) {
            return "the token expired (" + e.getMessage() + "): mint a new one; exiting";
        }
        return "stopped" + (e.code() == null ? "" : " (" + e.code() + ")") + ": " + e.getMessage() + "; exiting";
    }
}
