package io.iris.engine.session;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.SendStatus;
import io.iris.api.UserIds;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.Principal;
import io.iris.engine.auth.TokenRevocations;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.ingress.CommandOutbox;
import io.iris.engine.ingress.Ingress;
import io.iris.engine.placement.DeviceAddress;
import io.iris.engine.placement.Placement;
import io.iris.engine.ratelimit.LoginThrottle;
import io.iris.engine.ratelimit.UserRateLimits;
import io.iris.engine.routing.ReplyOrigin;
import io.iris.engine.routing.ShardCommand;
import io.iris.transport.Connection;
import io.iris.transport.ConnectionHandler;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
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
 * INVALID_RECIPIENT)? payload within limit? the user's token bucket; then the {@link Ingress} admits it (flow
 * control) and writes it straight into the recipient shard's ring buffer. Refusals are answered with a
 * SEND_ACK carrying the status and a retry-after, never dropped. Every device is named by its
 * {@link DeviceAddress} (this node, the connection), the address shards answer to.
 *
 * <p>Logins, logouts, acks and presence queries are control commands: they use the queue space the flow
 * controller keeps free of SENDs. When a shard's queue is full all the same, the I/O thread does not wait: the
 * command goes to the thread's {@link CommandOutbox} and is offered again at the thread's next loop iteration
 * ({@link #onLoopIteration()}, and before the next frame it handles). If that bounded outbox is full too, the
 * connection is closed (INTERNAL, "server overloaded"): its inbox keeps every message and the device resumes
 * from its cursor; a LOGOUT is always kept (see {@link CommandOutbox}), because losing one would leave a
 * device registered on its shard.
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
    private static final String OVERLOADED_TEXT = "server overloaded, reconnect later";
    private static final String TOKEN_EXPIRED_TEXT = "token expired; log in again";

    private final Authenticator authenticator;
    private final Ingress ingress;
    private final Placement placement;
    private final EngineCounters counters;
    private final int outboxBytes;
    private final UserRateLimits rateLimits;
    private final TokenRevocations revocations;
    private final LoginThrottle loginThrottle;
    private final LiveTokens liveTokens = new LiveTokens();
    private final int maxPayload;
    private final long idleTimeoutMillis;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(this::newScratch);
    /** Refused logins at INFO, at most one line per 10 s with the count of the others (see the class comment). */
    private final RateLimitedLog refusals = new RateLimitedLog(10_000, System::nanoTime, LOG::info);

    /**
     * @param authenticator     verifies LOGIN tokens.
     * @param ingress           where commands go; holds SEND admission.
     * @param rateLimits        per-user token buckets.
     * @param revocations       revoked token ids; a login with one is refused.
     * @param loginThrottle     failed-login limits per source address ({@link LoginThrottle#disabled()} for none).
     * @param maxPayload        largest accepted payload.
     * @param heartbeatMillis   announced heartbeat; three of them without a frame close the connection.
     * @param counters          where logins and refused SENDs are counted.
     * @param outboxBytes       bound of each I/O thread's {@link CommandOutbox}.
     */
    public SessionHandler(final Authenticator authenticator, final Ingress ingress, final UserRateLimits rateLimits,
                          final TokenRevocations revocations, final LoginThrottle loginThrottle,
                          final int maxPayload, final int heartbeatMillis, final EngineCounters counters,
                          final int outboxBytes) {
        this.authenticator = authenticator;
        this.ingress = Objects.requireNonNull(ingress, "ingress");
        this.placement = ingress.placement();
        this.counters = Objects.requireNonNull(counters, "counters");
        this.outboxBytes = outboxBytes;
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
        s.outbox.drain(ingress); // what waits goes first (and is usually gone already: see onLoopIteration)
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
                control(c, s, session.homeShard, ShardCommand.DELIVER_ACK,
                    ShardCommand.writeAck(s.command, 0, device(c), d.seq()));
                break;
            case Protocol.PRESENCE_QUERY:
                if (!UserIds.isValid(d.buffer(), d.idOffset(), d.idLength())) {
                    // no user can have this id: offline, never seen, and no shard state is touched
                    final byte[] id = new byte[d.idLength()];
                    d.buffer().getBytes(d.idOffset(), id);
                    c.write(s.frame, 0, FrameEncoder.presence(s.frame, 0, id, false, 0));
                    break;
                }
                control(c, s, placement.shardOf(d.buffer(), d.idOffset(), d.idLength()), ShardCommand.PRESENCE,
                    ShardCommand.writePresence(s.command, 0, ReplyOrigin.CLIENT, device(c), d.buffer(),
                        d.idOffset(), d.idLength()));
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
        s.outbox.drain(ingress);
        control(null, s, session.homeShard, ShardCommand.LOGOUT,
            ShardCommand.writeLogout(s.command, 0, device(c)));
    }

    /**
     * Offers this I/O thread's waiting control commands to their shards again.
     *
     * @return true if some still wait (a shard queue is still full).
     */
    @Override
    public boolean onLoopIteration() {
        return scratch.get().outbox.drain(ingress);
    }

    private void login(final Connection c, final Session session, final FrameDecoder d) {
        if (session.authenticated()) {
            counters.loginRefused(ErrorCode.ALREADY_AUTHENTICATED);
            c.closeWithError(ErrorCode.ALREADY_AUTHENTICATED, "already logged in");
            return;
        }
        final int version = Protocol.negotiate(d.minVersion(), d.maxVersion());
        if (version < 0) {
            counters.loginRefused(ErrorCode.UNSUPPORTED_VERSION);
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
        session.homeShard = placement.shardOf(principal.userId());
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
        ShardCommand.writeLogin(s.command, 0, device(c), d.seq(), version, user, device);
        control(c, s, session.homeShard, ShardCommand.LOGIN, ShardCommand.loginLength(user.length, device.length));
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
        s.sender.wrap(session.userBytes);
        final long retry = ingress.send(ReplyOrigin.CLIENT, device(c), msgId, s.sender, 0,
            session.userBytes.length, b, d.idOffset(), d.idLength(), b, d.payloadOffset(), d.payloadLength());
        if (retry != Ingress.QUEUED) {
            ack(c, s, msgId, SendStatus.OVERLOADED, retry);
        }
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

    private void ack(final Connection c, final Scratch s, final long msgId, final SendStatus status,
                     final long retryAfterMillis) {
        counters.send(status);
        final int len = FrameEncoder.sendAck(s.frame, 0, msgId, status.code(), 0, System.currentTimeMillis(),
            retryAfterMillis);
        c.write(s.frame, 0, len);
    }

    /**
     * Hands a control command (in {@code s.command}) to its shard, or to this thread's outbox when the shard's
     * queue is full or commands wait already; if the outbox is full, closes the connection (see the class
     * comment).
     */
    private void control(final Connection c, final Scratch s, final int shard, final int type, final int length) {
        if (s.outbox.isEmpty() && ingress.offer(shard, type, s.command, 0, length)) {
            return;
        }
        if (s.outbox.add(shard, type, s.command, 0, length)) {
            return;
        }
        counters.ingressOverflowClosed();
        LOG.warn("shard {} queue and the I/O thread's outbox are full: closing connection {}", shard,
            c == null ? "-" : c.id());
        if (c != null) {
            if (type == ShardCommand.LOGIN) {
                counters.loginRefused(ErrorCode.INTERNAL);
            }
            c.closeWithError(ErrorCode.INTERNAL, OVERLOADED_TEXT);
        }
    }

    private void refused(final InetAddress from, final ErrorCode code, final String reason) {
        counters.loginRefused(code);
        refusals.log("login refused from " + from + ": " + code + " (" + reason + ")");
    }

    private Scratch newScratch() {
        return new Scratch(new CommandOutbox(outboxBytes));
    }

    /** Per-I/O-thread state: reusable buffers and the thread's outbox of control commands. */
    private static final class Scratch {
        final FrameDecoder decoder = new FrameDecoder();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[512]);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[CommandOutbox.MAX_BODY]);
        final UnsafeBuffer sender = new UnsafeBuffer(new byte[0]);
        final CommandOutbox outbox;

        Scratch(final CommandOutbox outbox) {
            this.outbox = outbox;
        }
    }

    /**
     * @param c a client connection.
     * @return the address of its device: this node and the connection (computed, not kept in the session:
     * a field per connection adds up over tens of thousands of connections).
     */
    private long device(final Connection c) {
        return DeviceAddress.of(placement.localNode(), c.id());
    }
}
