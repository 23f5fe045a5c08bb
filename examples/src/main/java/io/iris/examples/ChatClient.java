package io.iris.examples;

import io.iris.api.ErrorCode;
import io.iris.api.Presence;
import io.iris.api.SendReceipt;
import io.iris.client.IrisClient;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The CLI chat client: each line typed is sent to the current peer; {@code /to USER} changes the peer,
 * {@code /who USER} asks for presence, {@code /quit} leaves. Incoming messages print as they arrive,
 * in inbox order, each once; the server remembers what this device acknowledged, so a restarted
 * client continues where it stopped.
 */
final class ChatClient {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private ChatClient() {
    }

    static void run(final List<String> args) throws Exception {
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
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final IrisClient.Builder builder = IrisClient.builder();
        if (opts.containsKey("ca")) {
            builder.tls(java.nio.file.Path.of(opts.get("ca")));
        } else if (opts.containsKey("tls")) {
            builder.tls((java.nio.file.Path) null); // the JDK's default trust store
        }
        final IrisClient client = builder
            .address(opts.get("host"), Integer.parseInt(opts.get("port")))
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
            })
            .build();
        try (client) {
            client.connect().get(30, TimeUnit.SECONDS);
            String peer = opts.get("to");
            out.println("* type a line to send it" + (peer == null ? " (first choose a peer: /to USER)" : " to " + peer)
                + "; /to USER, /who USER, /quit");
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (line.equals("/quit")) {
                    break;
                }
                if (line.startsWith("/to ")) {
                    peer = line.substring(4).trim();
                    out.println("* now talking to " + peer);
                    continue;
                }
                if (line.startsWith("/who ")) {
                    final Presence p = client.presence(line.substring(5).trim()).get(10, TimeUnit.SECONDS);
                    out.println("* " + p.userId() + (p.online() ? " is online"
                        : p.lastSeenMillis() == 0 ? " has not been seen" : " was last seen "
                        + TIME.format(Instant.ofEpochMilli(p.lastSeenMillis()))));
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
}
