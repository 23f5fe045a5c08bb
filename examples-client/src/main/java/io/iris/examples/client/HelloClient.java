package io.iris.examples.client;

import io.iris.client.IrisClient;
import io.iris.protocol.SendReceipt;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client-only application: logs in with a token, sends one message, prints the server's acknowledgement
 * and then the delivery of a message to this user (its own, when it writes to itself). Built on
 * {@code iris-client} alone, it runs with plain {@code java -jar iris-example-client.jar} and no JVM flags.
 *
 * <pre>
 * java -jar iris-example-client.jar &lt;host&gt; &lt;port&gt; &lt;token&gt; &lt;deviceId&gt; &lt;recipient&gt; &lt;message&gt;
 * </pre>
 *
 * <p>Prints {@code ack <status> seq=<n>} and {@code delivered seq=<n> from=<sender>: <text>}; exits 0 after
 * the delivery, 1 on bad arguments, 2 if the server refused or nothing arrived within 30 seconds.
 */
public final class HelloClient {
    private static final long WAIT_SECONDS = 30;

    private HelloClient() {
    }

    /**
     * @param args host, port, token, device id, recipient, message.
     * @throws Exception never in practice: failures are printed and turned into the exit status.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: java -jar iris-example-client.jar <host> <port> <token> <deviceId> <recipient> <message>");
            System.exit(1);
        }
        final BlockingQueue<IrisClient.Delivery> inbox = new LinkedBlockingQueue<>();
        try (IrisClient client = IrisClient.builder()
                 .address(args[0], Integer.parseInt(args[1]))
                 .token(args[2])
                 .deviceId(args[3])
                 .listener(inbox::add)
                 .build()) {
            client.connect().get(WAIT_SECONDS, TimeUnit.SECONDS);
            final SendReceipt receipt = client.send(args[4], args[5].getBytes(StandardCharsets.UTF_8))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
            System.out.println("ack " + receipt.status() + " seq=" + receipt.seq());
            if (!receipt.status().isStored()) {
                System.exit(2);
            }
            final IrisClient.Delivery d = inbox.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (d == null) {
                System.out.println("no delivery within " + WAIT_SECONDS + " s");
                System.exit(2);
            }
            System.out.println("delivered seq=" + d.seq() + " from=" + d.sender() + ": "
                + new String(d.payload(), StandardCharsets.UTF_8));
        } catch (final Exception e) {
            System.out.println("failed: " + e);
            System.exit(2);
        }
    }
}
