package io.iris.engine.session;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.SendStatus;
import io.iris.api.UserIds;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.Principal;
import io.iris.api.flow.FlowController;
import io.iris.api.routing.Shard;
import io.iris.engine.auth.TokenRevocations;
import io.iris.engine.ratelimit.LoginThrottle;
import io.iris.engine.ratelimit.UserRateLimits;
import io.iris.engine.routing.ShardCommand;
import io.iris.transport.Connection;
import io.iris.transport.ConnectionHandler;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The engine's {@link ConnectionHandler}: runs on I/O threads and turns frames into shard commands.
 *
 * <p>Per SEND, in order: authenticated? token still valid? recipient a valid user id ({@link UserIds}; else
 * INVALID_RECIPIENT)? payload within limit? the user's token
 * bucket; the {@link FlowController}; then the command is written straight into the recipient shard's
 * ring buffer ({@code tryClaim}/{@code commit}: no copy, no object). Refusals are answered with a
 * SEND_ACK carrying the status and a retry-after, never dropped. Logins, logouts, acks and presence
 * queries are control commands: they use the queue space the flow controller keeps free of SENDs and
 * are retried briefly when it is full rather than dropped, because losing one would leave a device
 * registered or a window closed.
 *
 * <p>At login the session also gets a deadline at the token's expiry ({@link Connection#closeAfter}): an
 * idle session is closed with TOKEN_EXPIRED then, not only at its next SEND. A token with an id
 * ({@link Principal#tokenId()}) is refused if the id is revoked, and its connection is tracked so that
 * {@link #connectionsWithToken} can find it when the id is revoked later. The login registers the
 * connection <i>before</i> it checks the revocations, and a revoker records the revocation before it looks
 * the connections up, so a login racing with a revocation is always caught by one side or the other.
 *
 * <p>Every refused token (AUTH_FAILED or TOKEN_EXPIRED at login) is counted against the connection's source
 * address by the {@link LoginThrottle}; while an address is over its allowance its LOGINs are answered
 * {@code LOGIN_THROTTLED} before the token is even parsed.
 *
 * <p>Logging: each refused login is logged at INFO with its code, reason and source address, through a
 * {@link RateLimitedLog} (one line per 10 s, counting the rest), so a flood of bad tokens cannot flood the log;
 * logins and logouts are logged at DEBUG.
 */
public final class SessionHandler implements ConnectionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);
    private static final long CONTROL_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final String TOKEN_EXPIRED_TEXT = "token expired; log in again";

    private final Authenticator authenticator;
    private final Shard shard;
    private final RingBuffer[] queues;
    private final FlowController flow;
    private final UserRateLimits rateLimits;
    private final TokenRevocations revocations;
    private final LoginThrottle loginThrottle;
    private final LiveTokens liveTokens = new LiveTokens();
    private final int maxPayload;
    private final long idleTimeoutMillis;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    /** Refused logins at INFO, at most one line per 10 s with the count of the others (see the class comment). */
    private final RateLimitedLog refusals = new RateLimitedLog(10_000, System::nanoTime, LOG::info);

    /**
     * @param authenticator     verifies LOGIN tokens.
     * @param shard             maps users to shards.
     * @param queues            each shard's command queue.
     * @param flow              admission control for SENDs.
     * @param rateLimits        per-user token buckets.
     * @param revocations       revoked token ids; a login with one is refused.
     * @param loginThrottle     failed-login limits per source address ({@link LoginThrottle#disabled()} for none).
     * @param maxPayload        largest accepted payload.
     * @param heartbeatMillis   announced heartbeat; three of them without a frame close the connection.
     */
    public SessionHandler(final Authenticator authenticator, final Shard shard, final RingBuffer[] queues,
                          final FlowController flow, final UserRateLimits rateLimits,
                          final TokenRevocations revocations, final LoginThrottle loginThrottle,
                          final int maxPayload, final int heartbeatMillis) {
        this.authenticator = authenticator;
        this.shard = shard;
        this.queues = queues.clone();
        this.flow = flow;
        this.rateLimits = rateLimits;
        this.revocations = Objects.requireNonNull(revocations, "revocations");
        this.loginThrottle = Objects.requireNonNull(loginThrottle, "loginThrottle");
        this.maxPayload = maxPayload;
        this.idleTimeoutMillis = 3L * heartbeatMillis;
    }

    @Override
    public void onOpen(final Connection connection) {
        connection.attach(new Session());
    }

    @Override
    public void onFrame(final Connection c, final DirectBuffer buffer, final int offset, final int length) {
        final Scratch s = scratch.get();
        final FrameDecoder d = s.decoder;
        if (!d.wrap(buffer, offset, length)) {
            c.closeWithError(ErrorCode.MALFORMED_FRAME, d.error());
            return;
        }
        final Session session = (Session) c.attachment();
        final byte type = d.type();
        if (type == Protocol.PING) {
            final int len = FrameEncoder.pong(s.frame, 0, d.nonce());
            c.write(s.frame, 0, len);
            return;
        }
        if (type == Protocol.PONG) {
            return;
        }
        if (type == Protocol.LOGIN) {
            login(c, session, d);
            return;
        }
        if (!session.authenticated()) {
            c.closeWithError(ErrorCode.NOT_AUTHENTICATED, "LOGIN first");
            return;
        }
        switch (type) {
            case Protocol.SEND:
                send(c, session, d, s);
                break;
            case Protocol.DELIVER_ACK:
                control(c, session.homeShard, ShardCommand.DELIVER_ACK, s.command, 0,
                    writeAck(s.command, c.id(), d.seq()));
                break;
            case Protocol.PRESENCE_QUERY:
                if (!UserIds.isValid(d.buffer(), d.idOffset(), d.idLength())) {
                    // no user can have this id: offline, never seen, and no shard state is touched
                    final byte[] id = new byte[d.idLength()];
                    d.buffer().getBytes(d.idOffset(), id);
                    c.write(s.frame, 0, FrameEncoder.presence(s.frame, 0, id, false, 0));
                    break;
                }
                ShardCommand.writePresence(s.command, 0, c.id(), 0, d.buffer(), d.idOffset(), d.idLength());
                control(c, shard.shardOf(d.buffer(), d.idOffset(), d.idLength()), ShardCommand.PRESENCE, s.command, 0,
                    ShardCommand.presenceLength(d.idLength()));
                break;
            default:
                c.closeWithError(ErrorCode.MALFORMED_FRAME, "a client may not send " + Protocol.typeName(type));
        }
    }

    @Override
    public void onClose(final Connection c) {
        final Session session = (Session) c.attachment();
        if (session == null || !session.authenticated()) {
            return;
        }
        rateLimits.release(session.userId);
        LOG.debug("logout: user {} (connection {})", session.userId, c.id());
        if (session.tokenId != null) {
            liveTokens.remove(session.tokenId, c.id());
        }
        final Scratch s = scratch.get();
        s.command.putLong(ShardCommand.CONNECTION_ID, c.id());
        control(null, session.homeShard, ShardCommand.LOGOUT, s.command, 0, 8);
    }

    private void login(final Connection c, final Session session, final FrameDecoder d) {
        if (session.authenticated()) {
            c.closeWithError(ErrorCode.ALREADY_AUTHENTICATED, "already logged in");
            return;
        }
        final int version = Protocol.negotiate(d.minVersion(), d.maxVersion());
        if (version < 0) {
            c.closeWithError(ErrorCode.UNSUPPORTED_VERSION, "this server speaks protocol versions "
                + Protocol.MIN_VERSION + " to " + Protocol.VERSION);
            return;
        }
        final InetSocketAddress remote = c.remoteAddress();
        final InetAddress from = remote == null ? null : remote.getAddress();
        final long retryAfter = loginThrottle.retryAfterMillis(from, System.nanoTime());
        if (retryAfter > 0) {
            final String text = "too many failed logins from your address; retry after " + retryAfter + " ms";
            if (version >= Protocol.VERSION_ERROR_RETRY_AFTER) {
                c.closeWithError(ErrorCode.LOGIN_THROTTLED, text, retryAfter); // typed advice, v2
            } else {
                c.closeWithError(ErrorCode.LOGIN_THROTTLED, text);
            }
            refused(from, ErrorCode.LOGIN_THROTTLED, "retry after " + retryAfter + " ms");
            return;
        }
        final Principal principal;
        final long now = System.currentTimeMillis();
        try {
            principal = authenticator.authenticate(d.token(), now);
        } catch (final AuthenticationException e) {
            loginThrottle.failed(from, System.nanoTime());
            c.closeWithError(e.code(), e.getMessage());
            refused(from, e.code(), e.getMessage());
            return;
        } catch (final RuntimeException e) {
            LOG.warn("authenticator failed", e);
            loginThrottle.failed(from, System.nanoTime());
            c.closeWithError(ErrorCode.AUTH_FAILED, "token could not be verified");
            refused(from, ErrorCode.AUTH_FAILED, "authenticator failed");
            return;
        }
        if (!UserIds.isValid(principal.userId())) { // an authenticator of the embedder may return anything
            loginThrottle.failed(from, System.nanoTime());
            c.closeWithError(ErrorCode.AUTH_FAILED, "token subject is not a valid user id");
            refused(from, ErrorCode.AUTH_FAILED, "token subject is not a valid user id");
            return;
        }
        final byte[] user = principal.userId().getBytes(StandardCharsets.UTF_8);
        final String tokenId = principal.tokenId();
        if (tokenId != null) {
            liveTokens.add(tokenId, c.id()); // first: see the class comment
            if (revocations.isRevoked(tokenId, System.currentTimeMillis())) {
                liveTokens.remove(tokenId, c.id());
                loginThrottle.failed(from, System.nanoTime());
                c.closeWithError(ErrorCode.AUTH_FAILED, "token revoked");
                refused(from, ErrorCode.AUTH_FAILED, "token revoked (user " + principal.userId() + ")");
                return;
            }
        }
        final byte[] device = new byte[d.deviceLength()];
        d.buffer().getBytes(d.deviceOffset(), device);
        if (LOG.isDebugEnabled()) {
            LOG.debug("login: user {} device {} from {}", principal.userId(),
                new String(device, StandardCharsets.UTF_8), from);
        }
        session.userId = principal.userId();
        session.userBytes = user;
        session.homeShard = shard.shardOf(principal.userId());
        session.expiresAtMillis = principal.expiresAtMillis();
        session.tokenId = tokenId;
        session.bucket = rateLimits.acquire(session.userId);
        c.maxInboundFrame(Protocol.maxFrameAfterLogin(maxPayload));
        c.readTimeout(idleTimeoutMillis, ErrorCode.IDLE_TIMEOUT);
        if (principal.expiresAtMillis() != Long.MAX_VALUE) {
            // +1: the token is still valid at expiresAtMillis itself, expired just after
            c.closeAfter(Math.max(0, principal.expiresAtMillis() - now + 1), ErrorCode.TOKEN_EXPIRED, TOKEN_EXPIRED_TEXT);
        }
        final Scratch s = scratch.get();
        ShardCommand.writeLogin(s.command, 0, c.id(), d.seq(), version, user, device);
        control(c, session.homeShard, ShardCommand.LOGIN, s.command, 0,
            ShardCommand.loginLength(user.length, device.length));
    }

    private void send(final Connection c, final Session session, final FrameDecoder d, final Scratch s) {
        if (System.currentTimeMillis() > session.expiresAtMillis) {
            c.closeWithError(ErrorCode.TOKEN_EXPIRED, TOKEN_EXPIRED_TEXT);
            return;
        }
        final long msgId = d.clientMsgId();
        if (!UserIds.isValid(d.buffer(), d.idOffset(), d.idLength())) {
            ack(c, s, msgId, SendStatus.INVALID_RECIPIENT, 0);
            return;
        }
        if (d.payloadLength() > maxPayload) {
            ack(c, s, msgId, SendStatus.PAYLOAD_TOO_LARGE, 0);
            return;
        }
        final long waitNanos = session.bucket.tryAcquire(System.nanoTime());
        if (waitNanos > 0) {
            ack(c, s, msgId, SendStatus.RATE_LIMITED, Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
            return;
        }
        final DirectBuffer b = d.buffer();
        final int target = shard.shardOf(b, d.idOffset(), d.idLength());
        final long retry = flow.admit(target);
        if (retry > 0) {
            ack(c, s, msgId, SendStatus.OVERLOADED, retry);
            return;
        }
        final RingBuffer queue = queues[target];
        final int length = ShardCommand.sendLength(session.userBytes.length, d.idLength(), d.payloadLength());
        final int index = queue.tryClaim(ShardCommand.SEND, length);
        if (index < 0) {
            ack(c, s, msgId, SendStatus.OVERLOADED, 50);
            return;
        }
        s.sender.wrap(session.userBytes);
        ShardCommand.writeSend(queue.buffer(), index, c.id(), 0, msgId, s.sender, 0, session.userBytes.length,
            b, d.idOffset(), d.idLength(), b, d.payloadOffset(), d.payloadLength());
        queue.commit(index);
    }

    /**
     * Any thread.
     *
     * @param tokenId a token id.
     * @return the ids of the open connections that logged in with a token carrying it.
     */
    public long[] connectionsWithToken(final String tokenId) {
        return liveTokens.connections(tokenId);
    }

    private static void ack(final Connection c, final Scratch s, final long msgId, final SendStatus status,
                            final long retryAfterMillis) {
        final int len = FrameEncoder.sendAck(s.frame, 0, msgId, status.code(), 0, System.currentTimeMillis(),
            retryAfterMillis);
        c.write(s.frame, 0, len);
    }

    private static int writeAck(final MutableDirectBuffer b, final long connectionId, final long upTo) {
        b.putLong(ShardCommand.CONNECTION_ID, connectionId);
        b.putLong(ShardCommand.ACK_UP_TO, upTo);
        return 16;
    }

    /**
     * Writes a control command, retrying for up to a second if the shard's queue is full. If it still
     * fails the shard is wedged: the connection (if any) is closed and the failure logged.
     */
    private void control(final Connection c, final int target, final int type, final DirectBuffer body,
                         final int offset, final int length) {
        final RingBuffer queue = queues[target];
        if (queue.write(type, body, offset, length)) {
            return;
        }
        final long deadline = System.nanoTime() + CONTROL_RETRY_NANOS;
        while (System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            if (queue.write(type, body, offset, length)) {
                return;
            }
        }
        LOG.error("shard {} queue full for a second; dropping control command {}", target, type);
        if (c != null) {
            c.closeWithError(ErrorCode.INTERNAL, "server overloaded, reconnect later");
        }
    }

    private void refused(final InetAddress from, final ErrorCode code, final String reason) {
        refusals.log("login refused from " + from + ": " + code + " (" + reason + ")");
    }

    /** Per-I/O-thread reusable buffers. */
    private static final class Scratch {
        final FrameDecoder decoder = new FrameDecoder();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[512]);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[512]);
        final UnsafeBuffer sender = new UnsafeBuffer(new byte[0]);
    }
}
