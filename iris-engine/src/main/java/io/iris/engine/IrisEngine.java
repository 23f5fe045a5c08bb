package io.iris.engine;

import io.iris.protocol.ErrorCode;
import io.iris.api.Iris;
import io.iris.api.IrisConfig;
import io.iris.api.OfflineListener;
import io.iris.protocol.Presence;
import io.iris.api.RecipientValidator;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.api.UserIds;
import io.iris.api.flow.OverloadLevel;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.AuthenticatorProvider;
import io.iris.api.counters.IrisCounters;
import io.iris.api.spi.Providers;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;
import io.iris.engine.admin.AdminApi;
import io.iris.engine.admin.EngineControl;
import io.iris.engine.config.ConfigKeys;
import io.iris.engine.flow.SignalReading;
import io.iris.engine.auth.JwtAuthenticator;
import io.iris.engine.auth.RevocationFile;
import io.iris.engine.auth.TokenRevocations;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.durability.GroupCommitBatcher;
import io.iris.engine.egress.TransportEgress;
import io.iris.engine.flow.CommitLatencyProbe;
import io.iris.engine.flow.HeapAfterGc;
import io.iris.engine.flow.OverloadFlowController;
import io.iris.engine.ingress.Ingress;
import io.iris.engine.ingress.ShardIngress;
import io.iris.engine.placement.SingleNodePlacement;
import io.iris.engine.ratelimit.LoginThrottle;
import io.iris.engine.ratelimit.UserRateLimits;
import io.iris.engine.routing.DeviceRouter;
import io.iris.engine.routing.DeviceSession;
import io.iris.engine.routing.HashShard;
import io.iris.engine.routing.PendingRequests;
import io.iris.engine.routing.ReplyOrigin;
import io.iris.engine.routing.ShardAgent;
import io.iris.engine.routing.ShardCommand;
import io.iris.engine.session.SessionHandler;
import io.iris.transport.Listener;
import io.iris.transport.NioServerConfig;
import io.iris.transport.NioTransport;
import io.iris.transport.NioTransportConfig;
import io.iris.transport.tls.TlsConfig;
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
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

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
 *
 * <p>Token revocation ({@link #revokeToken}) works with any authenticator whose {@link
 * io.iris.api.auth.Principal} carries a token id. With {@code auth.jwt.revokedFile} set, the engine also loads
 * that {@link RevocationFile} at start (a bad file fails the start) and re-reads it on a daemon thread
 * every {@code auth.jwt.revokedFilePollMillis} when it changed, revoking each entry as {@link #revokeToken}
 * does (a bad file then is logged and the previous revocations stay in force).
 *
 * <p>Flow control ({@link OverloadFlowController}): a daemon thread samples shard queue depth, group-commit
 * latency, heap after GC and the transport's outbound backlog, and sets the {@link #overloadLevel()}; SENDs
 * (from clients and from {@link #send}) are admitted or answered OVERLOADED accordingly, and at
 * {@link OverloadLevel#CRITICAL} the transport refuses new connections with SERVER_FULL. Each change is
 * logged at INFO with the signal that caused it and given to the {@link Builder#overloadListener}.
 *
 * <p>Commands enter the shards through one {@link Ingress} (client sessions and {@link #send} alike: one
 * place for SEND admission); shards answer through a per-shard {@link TransportEgress}. Every component counts
 * into one {@link IrisCounters} registry ({@link #counters()}), which a metrics exporter reads without locks.
 *
 * <p>Operators act on a running engine through its {@link #admin()} API (sessions, disconnect, revoke, drain,
 * configuration, overload), which an HTTP server carries; questions about a user go to the user's shard as
 * commands, like {@link #presence}.
 */
public final class IrisEngine implements Iris {
    private static final Logger LOG = LoggerFactory.getLogger(IrisEngine.class);
    /** Bound of each shard's outbox towards the I/O threads (see {@link TransportEgress}). */
    private static final int SHARD_OUTBOX_BYTES = 1 << 20;
    /** Bound of each I/O thread's outbox of control commands (see {@link io.iris.engine.ingress.CommandOutbox}). */
    private static final int IO_OUTBOX_BYTES = 64 * 1024;

    private final EngineSettings settings;
    private final InboxStore store;
    private final SingleNodePlacement placement;
    private final RingBuffer[] queues;
    private final Ingress ingress;
    private final ShardAgent[] agents;
    private final GroupCommitBatcher[] batchers;
    private final AgentRunner[] runners;
    private final IrisCounters counters;
    private final EngineCounters engineCounters;
    private final NioTransport transport;
    /** The client listener of {@link #transport}. */
    private final Listener clients;
    private final SessionHandler sessions;
    private final OverloadFlowController flow;
    private final HeapAfterGc heap;
    private final TokenRevocations revocations;
    private final RevocationFile revocationFile;
    private volatile ScheduledExecutorService revocationPoller;
    private final PendingRequests requests = new PendingRequests();
    private final IrisConfig config;
    private final AdminApi admin = new AdminApi(new Control());
    private final Object lifecycle = new Object();
    private boolean closed;
    /** Completed when {@link #close()} has finished. */
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Set once the client listener is up; cleared when closing starts (readiness). */
    private volatile boolean serving;

    private IrisEngine(final Builder b) {
        KnownKeys.requireKnown(b.config, b.applicationKeys); // a typo must not run on a default
        this.settings = EngineSettings.from(b.config);
        this.config = b.config;
        final TlsConfig tlsConfig = settings.tls().toTlsConfig(); // reads the files: fail before opening storage
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
        this.revocations = new TokenRevocations(settings.maxRevocations(), JwtAuthenticator.MAX_LEEWAY);
        this.revocationFile = settings.revokedFile().isEmpty() ? null : new RevocationFile(Path.of(settings.revokedFile()));
        if (revocationFile != null) {
            try {
                final List<RevocationFile.Entry> entries = revocationFile.readIfChanged();
                final long now = System.currentTimeMillis();
                for (final RevocationFile.Entry e : entries) {
                    revocations.revoke(e.tokenId(), epochMillis(Instant.ofEpochSecond(e.expiresAtEpochSeconds())), now);
                }
                LOG.info("revocation file {}: {} entries, {} unexpired", revocationFile.path(), entries.size(),
                    revocations.size());
            } catch (final IOException e) {
                store.close();
                throw new IllegalArgumentException("config key 'auth.jwt.revokedFile': cannot read "
                    + revocationFile.path() + ": " + e, e);
            } catch (final RuntimeException e) {
                store.close();
                throw new IllegalArgumentException("config key 'auth.jwt.revokedFile': " + e.getMessage(), e);
            }
        }
        this.counters = b.counters != null ? b.counters : new IrisCounters();
        this.engineCounters = new EngineCounters(counters, settings.shards());
        store.registerCounters(counters);
        this.placement = new SingleNodePlacement(new HashShard(settings.shards()));
        this.queues = new RingBuffer[settings.shards()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new ManyToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(settings.queueBytes() + RingBufferDescriptor.TRAILER_LENGTH)));
        }
        final CommitLatencyProbe[] commitLatency = new CommitLatencyProbe[settings.shards()];
        for (int i = 0; i < commitLatency.length; i++) {
            commitLatency[i] = new CommitLatencyProbe();
        }
        this.heap = new HeapAfterGc();
        this.flow = new OverloadFlowController(settings.flow(), queues, commitLatency, heap, System::nanoTime);
        this.ingress = new ShardIngress(placement, queues, flow);
        final EngineSettings.AddressLimits limits = settings.addressLimits();
        final LoginThrottle loginThrottle = LoginThrottle.of(limits.failuresPerMinute(), limits.failureBurst(),
            limits.trackedAddresses());
        this.sessions = new SessionHandler(authenticator, ingress,
            new UserRateLimits(settings.ratePerSecond(), settings.rateBurst()), revocations, loginThrottle,
            settings.maxPayload(), settings.heartbeatMillis(), engineCounters, IO_OUTBOX_BYTES);
        this.transport = new NioTransport(NioTransportConfig.defaults().withIoThreads(settings.ioThreads())
            .withCounters(counters));
        this.clients = transport.listener(NioServerConfig.defaults()
            .withHost(settings.host())
            .withPort(settings.port())
            .withMaxConnections(settings.maxConnections())
            .withLoginTimeoutMillis(settings.loginTimeoutMillis())
            .withOutboundHighWaterMark(settings.outboundHighWaterMark())
            .withMaxConnectionsPerAddress(limits.maxConnections())
            .withConnectionsPerSecondPerAddress(limits.connectionsPerSecond())
            .withConnectionBurstPerAddress(limits.connectionBurst())
            .withTrackedAddresses(limits.trackedAddresses())
            .withTls(tlsConfig), sessions);
        final Consumer<OverloadLevel> listener = b.overloadListener;
        flow.attach(transport::unsentBytes, level -> {
            clients.refuseNewConnections(level == OverloadLevel.CRITICAL);
            engineCounters.overloadLevel(level.ordinal());
            if (listener != null) {
                listener.accept(level);
            }
        });
        this.agents = new ShardAgent[settings.shards()];
        this.batchers = new GroupCommitBatcher[settings.shards()];
        this.runners = new AgentRunner[settings.shards()];
        final SystemEpochClock clock = SystemEpochClock.INSTANCE;
        for (int i = 0; i < agents.length; i++) {
            final TransportEgress egress = new TransportEgress(placement.localNode(), transport, SHARD_OUTBOX_BYTES,
                engineCounters);
            batchers[i] = new GroupCommitBatcher(store, settings.maxBatch(), commitLatency[i], System::nanoTime,
                engineCounters.syncLatency());
            agents[i] = new ShardAgent(i, queues[i], store, batchers[i],
                new DeviceRouter(store, egress, clock, settings.deliveryWindow(),
                    settings.deliveryWindowBytes(), settings.deliveryStallTimeoutMillis(), engineCounters),
                egress, requests, b.offlineListener, clock,
                settings.maxBatch(), settings.maxPayload(), settings.heartbeatMillis(), settings.storageRetryMillis(),
                b.recipientValidator, settings.userCacheSize(), engineCounters);
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
            throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port()
                + " (config keys 'server.host', 'server.port'): " + e.getMessage(), e);
        }
        flow.start();
        serving = true;
        if (revocationFile != null) {
            revocationPoller = Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, "iris-revocation-file");
                t.setDaemon(true);
                return t;
            });
            revocationPoller.scheduleWithFixedDelay(this::pollRevocationFile, settings.revokedFilePollMillis(),
                settings.revokedFilePollMillis(), TimeUnit.MILLISECONDS);
        }
        LOG.info("Iris listening on {}:{} (shards={}, ioThreads={}, storage={}, maxConnections={})",
            settings.host(), clients.port(), settings.shards(), settings.ioThreads(), settings.storage(),
            clients.maxConnections());
    }

    /** @return the settings in force. */
    public EngineSettings settings() {
        return settings;
    }

    @Override
    public int port() {
        return clients.port();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Published by the flow-control sampler every {@code flow.sampleIntervalMillis}.
     */
    @Override
    public OverloadLevel overloadLevel() {
        return flow.level();
    }

    /**
     * Readiness, for a load balancer or an orchestrator ({@code /ready} of the admin server): the engine is ready
     * when its storage was opened (recovered) and its most recent sync on every shard succeeded, its client
     * listener is up, and it is not draining. Cheap (a few volatile reads); safe from any thread.
     *
     * @return empty when ready, else one line saying why not.
     */
    public Optional<String> notReadyReason() {
        if (!serving) {
            return Optional.of(closedFlag() ? "draining: the engine is shutting down" : "starting: client listener not up");
        }
        for (int i = 0; i < batchers.length; i++) {
            if (batchers[i].lastSyncFailed()) {
                return Optional.of("storage not writable: the last sync of shard " + i + " failed"
                    + " (see iris_storage_errors_total and the log)");
            }
        }
        return Optional.empty();
    }

    private boolean closedFlag() {
        synchronized (lifecycle) {
            return closed;
        }
    }

    /** @return open client connections now. */
    public int connectionCount() {
        return clients.connectionCount();
    }

    /**
     * @return connections refused with {@code TOO_MANY_CONNECTIONS} since start (per-address cap and rate;
     * see docs/security.md, "Limits"). Counted by the transport.
     */
    public long connectionsRefusedPerAddress() {
        return clients.connectionsRefusedByAddressCap() + clients.connectionsRefusedByAddressRate();
    }

    /**
     * @return the instance's counters registry (the one given to {@link Builder#counters}, else the engine's
     * own): what the engine counts is listed in {@link EngineCounters}; read it with
     * {@link IrisCounters#forEach} or {@link IrisCounters#value}.
     */
    public IrisCounters counters() {
        return counters;
    }

    @Override
    public CompletableFuture<SendReceipt> send(final String senderId, final String recipientId, final long clientMsgId,
                                               final byte[] payload) {
        final byte[] sender = userIdBytes(senderId, "senderId");
        Objects.requireNonNull(recipientId, "recipientId");
        Objects.requireNonNull(payload, "payload");
        final CompletableFuture<SendReceipt> future = new CompletableFuture<>();
        if (!UserIds.isValid(recipientId)) {
            return refused(future, SendStatus.INVALID_RECIPIENT, 0);
        }
        final byte[] recipient = recipientId.getBytes(StandardCharsets.UTF_8);
        if (payload.length > settings.maxPayload()) {
            return refused(future, SendStatus.PAYLOAD_TOO_LARGE, 0);
        }
        final long request = requests.register(future);
        final long retry = ingress.send(ReplyOrigin.API, request, clientMsgId, new UnsafeBuffer(sender), 0,
            sender.length, new UnsafeBuffer(recipient), 0, recipient.length, new UnsafeBuffer(payload), 0,
            payload.length);
        if (retry != Ingress.QUEUED) {
            requests.cancel(request);
            return refused(future, SendStatus.OVERLOADED, retry);
        }
        return future;
    }

    private CompletableFuture<SendReceipt> refused(final CompletableFuture<SendReceipt> future,
                                                   final SendStatus status, final long retryAfterMillis) {
        engineCounters.send(status);
        future.complete(new SendReceipt(status, 0, System.currentTimeMillis(), retryAfterMillis));
        return future;
    }

    @Override
    public CompletableFuture<Presence> presence(final String userId) {
        final byte[] user = userIdBytes(userId, "userId");
        return askShard(userId, ShardCommand.PRESENCE, ShardCommand.presenceLength(user.length),
            (body, request) -> ShardCommand.writePresence(body, 0, ReplyOrigin.API, request, new UnsafeBuffer(user), 0,
                user.length), "engine overloaded, retry later");
    }

    /** Writes a command body that carries a {@link PendingRequests} request id; returns its length. */
    @FunctionalInterface
    private interface RequestBody {
        int write(UnsafeBuffer body, long request);
    }

    /**
     * Queues a command to the user's home shard whose answer completes the returned future (on that shard).
     *
     * @param whenFull the failure's message when the shard's queue is full.
     */
    private <T> CompletableFuture<T> askShard(final String userId, final int type, final int length,
                                              final RequestBody writer, final String whenFull) {
        final CompletableFuture<T> future = new CompletableFuture<>();
        final long request = requests.register(future);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[length]);
        if (!ingress.offer(placement.shardOf(userId), type, body, 0, writer.write(body, request))) {
            requests.cancel(request);
            future.completeExceptionally(new IllegalStateException(whenFull));
        }
        return future;
    }

    /**
     * @return the admin API of this engine (see docs/operations.md, "Admin API"): an HTTP server hands it the
     * {@code /admin/*} requests it authenticated.
     */
    public AdminApi admin() {
        return admin;
    }

    /** Asks the user's home shard a SESSIONS or DISCONNECT command (device: one device, or null). */
    private <T> CompletableFuture<T> askAdmin(final int type, final String userId, final String deviceId) {
        final byte[] user = userIdBytes(userId, "userId");
        final byte[] device = deviceId == null ? new byte[0] : deviceId.getBytes(StandardCharsets.UTF_8);
        return askShard(userId, type, ShardCommand.adminLength(user.length, device.length),
            (body, request) -> ShardCommand.writeAdmin(body, 0, request, user, device),
            "the user's shard queue is full, retry later");
    }

    /** The operations of {@link #admin}: the engine's own, given to no one else. */
    private final class Control implements EngineControl {
        @Override
        public CompletableFuture<List<DeviceSession>> sessions(final String userId) {
            return askAdmin(ShardCommand.SESSIONS, userId, null);
        }

        @Override
        public CompletableFuture<Integer> disconnect(final String userId, final String deviceId) {
            return askAdmin(ShardCommand.DISCONNECT, userId, deviceId);
        }

        @Override
        public int revokeToken(final String tokenId, final Instant expiresAt) {
            return IrisEngine.this.revokeToken(tokenId, expiresAt != null ? expiresAt
                : Instant.now().plusSeconds(ConfigKeys.AUTH_JWT_MAX_LIFETIME_SECONDS.getInt(config)));
        }

        @Override
        public void drainAndStop() {
            final Thread t = new Thread(IrisEngine.this::close, "iris-admin-drain");
            t.start();
        }

        @Override
        public IrisConfig config() {
            return config;
        }

        @Override
        public OverloadLevel overloadLevel() {
            return flow.level();
        }

        @Override
        public List<SignalReading> overloadSignals() {
            return flow.readings();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The revocation is kept until {@code expiresAt} plus {@link JwtAuthenticator#MAX_LEEWAY} (the largest leeway
     * any {@code auth=jwt} configuration applies), and at most {@code auth.jwt.maxRevocations} revocations are
     * kept at once (see {@link TokenRevocations}). Each live session with the token is closed on its own I/O
     * thread.
     *
     * @throws IllegalArgumentException if {@code tokenId} is empty.
     */
    @Override
    public int revokeToken(final String tokenId, final Instant expiresAt) {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (tokenId.isEmpty()) {
            throw new IllegalArgumentException("tokenId must not be empty");
        }
        revocations.revoke(tokenId, epochMillis(expiresAt), System.currentTimeMillis());
        final long[] connections = sessions.connectionsWithToken(tokenId); // after revoke: see SessionHandler
        for (final long id : connections) {
            closeRevoked(id);
        }
        return connections.length;
    }

    /** Asks the connection's I/O thread to close it, retrying for up to a second while its queue is full. */
    private void closeRevoked(final long connectionId) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!transport.offerClose(connectionId, ErrorCode.AUTH_FAILED, "token revoked")) {
            if (System.nanoTime() - deadline > 0) {
                LOG.error("could not close connection {} of a revoked token: its I/O queue stayed full", connectionId);
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void pollRevocationFile() {
        try {
            final List<RevocationFile.Entry> entries = revocationFile.readIfChanged();
            if (entries == null) {
                return;
            }
            int closed = 0;
            for (final RevocationFile.Entry e : entries) {
                closed += revokeToken(e.tokenId(), Instant.ofEpochSecond(e.expiresAtEpochSeconds()));
            }
            LOG.info("revocation file {} changed: {} entries, {} revocations held, {} live session(s) closed",
                revocationFile.path(), entries.size(), revocations.size(), closed);
        } catch (final IOException | RuntimeException e) {
            LOG.error("revocation file {} could not be applied; previous revocations stay in force: {}",
                revocationFile.path(), e.toString());
        }
    }

    private static long epochMillis(final Instant instant) {
        try {
            return instant.toEpochMilli();
        } catch (final ArithmeticException e) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
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
        try {
            serving = false;
            if (revocationPoller != null) {
                revocationPoller.shutdownNow();
            }
            flow.close();
            heap.close();
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.drainTimeoutMillis());
            transport.drain();
            awaitShardsQuiet(deadline);
            transport.awaitFlushed(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            for (final AgentRunner runner : runners) {
                runner.close();
            }
            transport.close();
            requests.failAll(new IllegalStateException("engine closed"));
            store.close();
            LOG.info("Iris stopped");
        } finally {
            stopped.complete(null);
        }
    }

    /**
     * @return a future that completes once {@link #close()} has finished (whoever called it: the
     * application, a shutdown hook, or the admin API's drain): connections closed, shards stopped, the store
     * closed.
     */
    public CompletableFuture<Void> whenStopped() {
        return stopped.copy();
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
                    if (queues[i].size() == 0 && !agents[i].hasEgressBacklog()) {
                        break;
                    }
                }
                Thread.onSpinWait();
            }
        }
    }

    private static byte[] userIdBytes(final String id, final String what) {
        Objects.requireNonNull(id, what);
        final String problem = UserIds.problem(id);
        if (problem != null) {
            throw new IllegalArgumentException(what + " is not a valid user id: " + problem);
        }
        return id.getBytes(StandardCharsets.UTF_8);
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
        private Consumer<OverloadLevel> overloadListener;
        private RecipientValidator recipientValidator = RecipientValidator.ANY;
        private Set<String> applicationKeys = Set.of();
        private IrisCounters counters;

        private Builder() {
        }

        /**
         * @param counters the instance's counters registry, shared with the application's other components and
         *                 read by its metrics exporter; by default the engine creates its own
         *                 ({@link IrisEngine#counters()}).
         * @return this builder.
         */
        public Builder counters(final IrisCounters counters) {
            this.counters = Objects.requireNonNull(counters, "counters");
            return this;
        }

        /**
         * @param validator decides whether a SEND's recipient exists (see {@link RecipientValidator}); a recipient
         *                  it refuses is answered INVALID_RECIPIENT and costs no state. Default
         *                  {@link RecipientValidator#ANY}: every valid user id is a recipient.
         * @return this builder.
         */
        public Builder recipientValidator(final RecipientValidator validator) {
            this.recipientValidator = Objects.requireNonNull(validator, "validator");
            return this;
        }

        /**
         * Declares keys the embedding application reads itself from the configuration it gives the engine, so
         * that they are not refused as unknown (see {@link KnownKeys}).
         *
         * @param keys the application's own keys.
         * @return this builder.
         */
        public Builder applicationKeys(final Collection<String> keys) {
            this.applicationKeys = Set.copyOf(keys);
            return this;
        }

        /**
         * @param config the engine configuration (see {@link EngineSettings} for the keys); a key neither the
         *               engine nor a provider area knows fails {@link #start()} (see {@link KnownKeys}).
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
         * @param listener told each new {@link OverloadLevel} on the flow-control sampler thread, just before
         *                 {@link IrisEngine#overloadLevel()} reports it; must be quick and must not block.
         * @return this builder.
         */
        public Builder overloadListener(final Consumer<OverloadLevel> listener) {
            this.overloadListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Creates the engine and starts listening.
         *
         * @return the running engine.
         * @throws IllegalArgumentException for bad configuration (an unknown key, a bad value), naming the key.
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
