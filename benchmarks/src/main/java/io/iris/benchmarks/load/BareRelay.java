package io.iris.benchmarks.load;

import io.iris.protocol.SendStatus;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The machine's own ceiling for the load scenarios: a bare relay that speaks just enough of the wire
 * protocol for the load generator (LOGIN → LOGIN_OK with the token's {@code sub} taken unverified,
 * SEND → SEND_ACK to the sender and DELIVER to the recipient's connection, PING → PONG) on one
 * selector thread, with no authentication, storage, dedup, shards, windows or flow control. Like Iris
 * it reads into one shared buffer and gives a connection an output buffer (from a pool) only while it
 * has unsent bytes, so an idle connection costs the JDK's socket objects and one small object. Same
 * generator, same machine, same moment: the gap between it and Iris is what the engine costs.
 * Started by the load generator with {@code --server=relay}; same stdin/stdout line protocol as
 * {@link BenchServer}.
 */
public final class BareRelay {
    private static final int BUFFER = 64 * 1024;

    private final Selector selector = Selector.open();
    private final ServerSocketChannel server = ServerSocketChannel.open();
    private final Map<String, Peer> byUser = new HashMap<>();
    private final List<Peer> dirty = new ArrayList<>();
    private final FrameDecoder decoder = new FrameDecoder();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean stop;

    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
    private final UnsafeBuffer inView = new UnsafeBuffer(in);
    private final java.util.ArrayDeque<ByteBuffer> pool = new java.util.ArrayDeque<>();
    private final UnsafeBuffer outView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer senderView = new UnsafeBuffer(new byte[0]);

    /** One connection. */
    private static final class Peer {
        final SocketChannel channel;
        /** Bytes of an incomplete frame carried to the next read, or null. */
        byte[] partial;
        /** Unsent output while there is some, else null. */
        ByteBuffer out;
        SelectionKey key;
        byte[] user;
        long seq;
        boolean closed;
        boolean dirty;
        byte[] lastRecipient = new byte[0];
        Peer lastPeer;

        Peer(final SocketChannel channel) {
            this.channel = channel;
        }
    }

    private BareRelay(final int port) throws IOException {
        server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * @param args {@code --server.port=N}; other keys are ignored.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        int port = 0;
        for (final String a : args) {
            if (a.startsWith("--server.port=")) {
                port = Integer.parseInt(a.substring("--server.port=".length()));
            }
        }
        final BareRelay relay = new BareRelay(port);
        final Thread loop = new Thread(relay::run, "iris-io-relay");
        loop.start();
        System.out.println("IRIS-READY port=" + ((InetSocketAddress) relay.server.getLocalAddress()).getPort()
            + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
        final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = stdin.readLine()) != null && !line.trim().equals("STOP")) {
            if (line.trim().equals("STATS")) {
                final com.sun.management.ThreadMXBean t =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                System.out.println("IRIS-STATS connections=" + relay.connections.get()
                    + " ioAllocatedBytes=" + t.getThreadAllocatedBytes(loop.getId())
                    + " ioCpuNanos=" + t.getThreadCpuTime(loop.getId())
                    + " shardAllocatedBytes=0 shardCpuNanos=0 gcCount=0 gcMillis=0");
                System.out.flush();
            }
        }
        relay.stop = true;
        relay.selector.wakeup();
        loop.join(5_000);
        System.exit(0);
    }

    private void run() {
        try {
            while (!stop) {
                selector.select(this::onKey, 100);
                for (final Peer p : dirty) {
                    p.dirty = false;
                    flush(p);
                }
                dirty.clear();
            }
        } catch (final IOException e) {
            e.printStackTrace();
        }
    }

    private void onKey(final SelectionKey key) {
        try {
            if (key.isAcceptable()) {
                SocketChannel ch;
                while ((ch = server.accept()) != null) {
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    final Peer p = new Peer(ch);
                    p.key = ch.register(selector, SelectionKey.OP_READ, p);
                    connections.incrementAndGet();
                }
                return;
            }
            final Peer p = (Peer) key.attachment();
            if (key.isWritable()) {
                flush(p);
            }
            if (key.isReadable()) {
                in.clear();
                if (p.partial != null) {
                    in.put(p.partial);
                    p.partial = null;
                }
                final int n = p.channel.read(in);
                if (n < 0) {
                    close(p);
                    return;
                }
                parse(p);
            }
        } catch (final IOException e) {
            if (key.attachment() instanceof Peer) {
                close((Peer) key.attachment());
            }
        }
    }

    private void parse(final Peer p) {
        final int limit = in.position();
        int pos = 0;
        while (limit - pos >= 4) {
            final int length = inView.getInt(pos, ByteOrder.BIG_ENDIAN);
            if (limit - pos - 4 < length) {
                break;
            }
            if (decoder.wrap(inView, pos + 4, length)) {
                onFrame(p);
            }
            pos += 4 + length;
        }
        if (pos < limit) {
            p.partial = new byte[limit - pos]; // rare: a frame split across reads
            inView.getBytes(pos, p.partial);
        }
    }

    /** @return the peer's output buffer, borrowed from the pool if it had none; null if over the limit. */
    private ByteBuffer out(final Peer p, final int room) {
        if (p.out == null) {
            final ByteBuffer b = pool.isEmpty() ? ByteBuffer.allocateDirect(BUFFER) : pool.poll();
            b.clear();
            p.out = b;
        }
        if (p.out.remaining() < room) {
            return null;
        }
        outView.wrap(p.out);
        return p.out;
    }

    private void onFrame(final Peer p) {
        final FrameDecoder d = decoder;
        switch (d.type()) {
            case Protocol.LOGIN: {
                final String user = subject(d.token());
                p.user = user.getBytes(StandardCharsets.UTF_8);
                byUser.put(user, p);
                final ByteBuffer out = out(p, 256);
                if (out != null) {
                    final int at = out.position();
                    out.position(at + FrameEncoder.loginOk(outView, at, 1, p.user, System.currentTimeMillis(),
                        Protocol.DEFAULT_MAX_PAYLOAD, 600_000, 0, 0));
                    mark(p);
                }
                break;
            }
            case Protocol.SEND: {
                final Peer to = recipient(p, d);
                final long now = System.currentTimeMillis();
                final ByteBuffer toOut = to == null || to.closed ? null : out(to, 256 + d.payloadLength());
                if (toOut != null) {
                    final int at = toOut.position();
                    senderView.wrap(p.user);
                    toOut.position(at + FrameEncoder.deliver(outView, at, ++to.seq, senderView, 0,
                        p.user.length, now, d.buffer(), d.payloadOffset(), d.payloadLength()));
                    mark(to);
                }
                final ByteBuffer out = out(p, 64);
                if (out != null) {
                    final int at = out.position();
                    out.position(at + FrameEncoder.sendAck(outView, at, d.clientMsgId(), SendStatus.STORED.code(),
                        to == null ? 0 : to.seq, now, 0));
                    mark(p);
                }
                break;
            }
            case Protocol.PING: {
                final ByteBuffer out = out(p, 32);
                if (out != null) {
                    final int at = out.position();
                    out.position(at + FrameEncoder.pong(outView, at, d.nonce()));
                    mark(p);
                }
                break;
            }
            default:
                break; // DELIVER_ACK and the rest: nothing to do
        }
    }

    private Peer recipient(final Peer p, final FrameDecoder d) {
        final int len = d.idLength();
        boolean same = p.lastPeer != null && p.lastRecipient.length == len;
        for (int i = 0; same && i < len; i++) {
            same = p.lastRecipient[i] == d.buffer().getByte(d.idOffset() + i);
        }
        if (!same) {
            final byte[] id = new byte[len];
            d.buffer().getBytes(d.idOffset(), id);
            p.lastRecipient = id;
            p.lastPeer = byUser.get(new String(id, StandardCharsets.UTF_8));
        }
        return p.lastPeer;
    }

    private static String subject(final String jwt) {
        final String[] parts = jwt.split("\\.");
        final String json = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        final int at = json.indexOf("\"sub\":\"") + 7;
        return json.substring(at, json.indexOf('"', at));
    }

    private void mark(final Peer p) {
        if (!p.dirty) {
            p.dirty = true;
            dirty.add(p);
        }
    }

    private void flush(final Peer p) {
        if (p.out == null || p.closed) {
            return;
        }
        try {
            p.out.flip();
            p.channel.write(p.out);
            p.out.compact();
            final boolean pending = p.out.position() > 0;
            if (!pending) {
                release(p);
            }
            final int ops = SelectionKey.OP_READ | (pending ? SelectionKey.OP_WRITE : 0);
            if (p.key.isValid() && p.key.interestOps() != ops) {
                p.key.interestOps(ops);
            }
        } catch (final IOException e) {
            close(p);
        }
    }

    private void release(final Peer p) {
        if (p.out != null) {
            if (pool.size() < 1024) {
                pool.add(p.out);
            }
            p.out = null;
        }
    }

    private void close(final Peer p) {
        if (p.closed) {
            return;
        }
        p.closed = true;
        release(p);
        try {
            p.channel.close();
        } catch (final IOException ignored) {
            // closing
        }
        connections.decrementAndGet();
    }
}
