package io.iris.engine;

import io.iris.api.Iris;
import io.iris.api.IrisConfig;
import io.iris.api.OfflineListener;
import io.iris.api.Presence;
import io.iris.api.SendReceipt;
import io.iris.api.SendStatus;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.AuthenticatorProvider;
import io.iris.api.spi.Providers;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;
import io.iris.engine.durability.GroupCommitBatcher;
import io.iris.engine.flow.QueueDepthFlowController;
import io.iris.engine.ratelimit.UserRateLimits;
import io.iris.engine.routing.DeviceRouter;
import io.iris.engine.routing.HashShard;
import io.iris.engine.routing.Outbound;
import io.iris.engine.routing.PendingRequests;
import io.iris.engine.routing.ShardAgent;
import io.iris.engine.routing.ShardCommand;
import io.iris.engine.session.SessionHandler;
import io.iris.transport.NioServer;
import io.iris.transport.NioServerConfig;
import io.iris.transport.protocol.Protocol;
import io.iris.transport.protocol.Utf8;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running Iris node: the NIO transport, one {@link ShardAgent} thread per shard, the storage
 * provider and the authenticator, behind the {@link Iris} embedding API.
 *
 * <pre>{@code
 * Iris iris = IrisEngine.builder()
 *     .config(IrisConfig.of(Map.of("server.port", "7700", "auth.jwt.secret", secret)))
 *     .offlineListener((to, from, seq) -> push.notify(to))
 *     .start();
 * }</pre>
 *
 * Storage and authentication are chosen by name from configuration ({@code storage=memory},
 * {@code auth=jwt}) through {@link java.util.ServiceLoader}, or given as instances to the builder.
 */
public final class IrisEngine implements Iris {
    private static final Logger LOG = LoggerFactory.getLogger(IrisEngine.class);

    private final EngineSettings settings;
    private final InboxStore store;
    private final HashShard shard;
    private final RingBuffer[] queues;
    private final ShardAgent[] agents;
    private final Outbound[] outbounds;
    private final AgentRunner[] runners;
    private final NioServer transport;
    private final PendingRequests requests = new PendingRequests();
    private final Object lifecycle = new Object();
    private boolean closed;

    private IrisEngine(final Builder b) {
        this.settings = EngineSettings.from(b.config);
        final ClassLoader loader = IrisEngine.class.getClassLoader();
        this.store = b.store != null ? b.store
            : Providers.load(StorageProvider.class, settings.storage(), loader).create(b.config);
        final Authenticator authenticator;
        try {
            authenticator = b.authenticator != null ? b.authenticator
                : Providers.load(AuthenticatorProvider.class, settings.auth(), loader).create(b.config);
        } catch (final RuntimeException e) {
            store.close();
            throw e;
        }
        this.shard = new HashShard(settings.shards());
        this.queues = new RingBuffer[settings.shards()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new ManyToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(settings.queueBytes() + RingBufferDescriptor.TRAILER_LENGTH)));
        }
        final QueueDepthFlowController flow = new QueueDepthFlowController(queues, settings.flowHighWater(),
            settings.flowRetryMillis());
        final SessionHandler sessions = new SessionHandler(authenticator, shard, queues, flow,
            new UserRateLimits(settings.ratePerSecond(), settings.rateBurst()), settings.maxPayload(),
            settings.heartbeatMillis());
        this.transport = new NioServer(NioServerConfig.defaults()
            .withHost(settings.host())
            .withPort(settings.port())
            .withIoThreads(settings.ioThreads())
            .withMaxConnections(settings.maxConnections())
            .withLoginTimeoutMillis(settings.loginTimeoutMillis())
            .withOutboundHighWaterMark(settings.outboundHighWaterMark()), sessions);
        this.agents = new ShardAgent[settings.shards()];
        this.outbounds = new Outbound[settings.shards()];
        this.runners = new AgentRunner[settings.shards()];
        final SystemEpochClock clock = SystemEpochClock.INSTANCE;
        for (int i = 0; i < agents.length; i++) {
            outbounds[i] = new Outbound(transport);
            agents[i] = new ShardAgent(i, queues[i], store, new GroupCommitBatcher(store, settings.maxBatch()),
                new DeviceRouter(store, outbounds[i], clock, settings.deliveryWindow(),
                    settings.deliveryWindowBytes()),
                outbounds[i], requests, b.offlineListener, clock,
                settings.maxBatch(), settings.maxPayload(), settings.heartbeatMillis(), settings.storageRetryMillis());
            runners[i] = new AgentRunner(new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1)), e -> LOG.error("shard agent error", e), null, agents[i]);
        }
    }

    /** @return a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    private void startInternal() {
        for (final AgentRunner runner : runners) {
            AgentRunner.startOnThread(runner);
        }
        try {
            transport.start();
        } catch (final IOException e) {
            close();
            throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port(), e);
        }
        LOG.info("Iris listening on {}:{} (shards={}, ioThreads={}, storage={}, maxConnections={})",
            settings.host(), transport.port(), settings.shards(), settings.ioThreads(), settings.storage(),
            transport.maxConnections());
    }

    /** @return the settings in force. */
    public EngineSettings settings() {
        return settings;
    }

    @Override
    public int port() {
        return transport.port();
    }

    /** @return open client connections now. */
    public int connectionCount() {
        return transport.connectionCount();
    }

    @Override
    public CompletableFuture<SendReceipt> send(final String senderId, final String recipientId, final long clientMsgId,
                                               final byte[] payload) {
        final byte[] sender = userIdBytes(senderId, "senderId");
        final byte[] recipient = userIdBytes(recipientId, "recipientId");
        Objects.requireNonNull(payload, "payload");
        final CompletableFuture<SendReceipt> future = new CompletableFuture<>();
        if (payload.length > settings.maxPayload()) {
            future.complete(new SendReceipt(SendStatus.PAYLOAD_TOO_LARGE, 0, System.currentTimeMillis(), 0));
            return future;
        }
        final long request = requests.register(future);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[ShardCommand.sendLength(sender.length, recipient.length,
            payload.length)]);
        ShardCommand.writeSend(body, 0, 0, request, clientMsgId, new UnsafeBuffer(sender), 0, sender.length,
            new UnsafeBuffer(recipient), 0, recipient.length, new UnsafeBuffer(payload), 0, payload.length);
        if (!queues[shard.shardOf(recipientId)].write(ShardCommand.SEND, body, 0, body.capacity())) {
            requests.cancel(request);
            future.complete(new SendReceipt(SendStatus.OVERLOADED, 0, System.currentTimeMillis(),
                settings.flowRetryMillis()));
        }
        return future;
    }

    @Override
    public CompletableFuture<Presence> presence(final String userId) {
        final byte[] user = userIdBytes(userId, "userId");
        final CompletableFuture<Presence> future = new CompletableFuture<>();
        final long request = requests.register(future);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[ShardCommand.presenceLength(user.length)]);
        ShardCommand.writePresence(body, 0, 0, request, new UnsafeBuffer(user), 0, user.length);
        if (!queues[shard.shardOf(userId)].write(ShardCommand.PRESENCE, body, 0, body.capacity())) {
            requests.cancel(request);
            future.completeExceptionally(new IllegalStateException("engine overloaded, retry later"));
        }
        return future;
    }

    /**
     * Stops gracefully: GOAWAY to every client and no more reads, then waits (up to
     * {@code shutdown.drainTimeoutMillis}) until every queued command was processed and every answer
     * written, then stops the shards, closes connections and the store. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.drainTimeoutMillis());
        transport.drain();
        awaitShardsQuiet(deadline);
        transport.awaitFlushed(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        for (final Outbound o : outbounds) {
            o.stopping();
        }
        for (final AgentRunner runner : runners) {
            runner.close();
        }
        transport.close();
        requests.failAll(new IllegalStateException("engine closed"));
        store.close();
        LOG.info("Iris stopped");
    }

    private void awaitShardsQuiet(final long deadline) {
        for (int i = 0; i < agents.length; i++) {
            while (System.nanoTime() - deadline < 0) {
                if (queues[i].size() == 0) {
                    final long seen = agents[i].cycles();
                    // two more full duty cycles after the queue is empty: the batch was flushed
                    while (agents[i].cycles() < seen + 2 && System.nanoTime() - deadline < 0) {
                        Thread.onSpinWait();
                    }
                    if (queues[i].size() == 0) {
                        break;
                    }
                }
                Thread.onSpinWait();
            }
        }
    }

    private static byte[] userIdBytes(final String id, final String what) {
        Objects.requireNonNull(id, what);
        final byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > Protocol.MAX_ID_LENGTH
            || !Utf8.isValid(new UnsafeBuffer(bytes), 0, bytes.length)) {
            throw new IllegalArgumentException(what + " must be 1.." + Protocol.MAX_ID_LENGTH
                + " bytes of valid UTF-8: '" + id + "'");
        }
        return bytes;
    }

    /**
     * Builds and starts an {@link IrisEngine}. Validates everything at {@link #start()}: configuration
     * values, provider names (an unknown name lists the ones found), the port.
     */
    public static final class Builder {
        private IrisConfig config = IrisConfig.empty();
        private InboxStore store;
        private Authenticator authenticator;
        private OfflineListener offlineListener;

        private Builder() {
        }

        /**
         * @param config the engine configuration (see {@link EngineSettings} for the keys).
         * @return this builder.
         */
        public Builder config(final IrisConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param store a storage instance to use instead of the provider named by {@code storage}; the
         *              engine closes it when it stops.
         * @return this builder.
         */
        public Builder storage(final InboxStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * @param authenticator an authenticator to use instead of the provider named by {@code auth}.
         * @return this builder.
         */
        public Builder authenticator(final Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * @param listener told about each message stored for a user with no online device.
         * @return this builder.
         */
        public Builder offlineListener(final OfflineListener listener) {
            this.offlineListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Creates the engine and starts listening.
         *
         * @return the running engine.
         * @throws IllegalArgumentException for bad configuration.
         * @throws IllegalStateException    for an unknown provider name.
         * @throws UncheckedIOException     if the port cannot be bound.
         */
        public IrisEngine start() {
            final IrisEngine engine = new IrisEngine(this);
            engine.startInternal();
            return engine;
        }
    }
}
