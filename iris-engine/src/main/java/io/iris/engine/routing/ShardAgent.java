package io.iris.engine.routing;

import io.iris.protocol.ErrorCode;
import io.iris.api.OfflineListener;
import io.iris.protocol.Presence;
import io.iris.api.RecipientValidator;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.durability.DurableBatcher;
import io.iris.engine.egress.Egress;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageUnavailableException;
import io.iris.engine.inbox.StoredMessage;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The single thread that owns one shard: every inbox and online device of the shard's users
 * is touched only here, so none of it needs a lock.
 *
 * <p>One duty cycle: drain up to {@code maxBatch} commands from the shard's queue (SENDs are appended
 * to the {@link DurableBatcher}, the store recognising retried dedup keys); flush the batch — one
 * storage sync — and only then answer SEND_ACKs (STORED or DUPLICATE) and route the new messages;
 * pump backlogs to devices whose window has room; a few times a second, close devices stalled at a full
 * window ({@link DeviceRouter#closeStalled}). Logins flush the batch first, so a device's
 * starting point is always durable. A retry is answered only after the flush of its batch, so a
 * DUPLICATE never overtakes the durability of the original.
 *
 * <p>The shard never waits on another thread. Answers go to their {@link ReplyOrigin}: frames to a device
 * address through the {@link Egress} (whose outbox takes what an I/O thread's full queue refuses, retried at
 * the start of the next duty cycle), futures of the embedding API through {@link PendingRequests}.
 */
public final class ShardAgent implements Agent, DurableBatcher.Completion {
    private static final Logger LOG = LoggerFactory.getLogger(ShardAgent.class);
    /** How often devices stuck at a full delivery window are checked against the stall timeout. */
    static final long STALL_CHECK_INTERVAL_MILLIS = 250;
    /**
     * The ERROR an admin disconnect sends: AUTH_FAILED after login makes a client fetch a fresh token and log in
     * again (docs/protocol.md), so a disconnect forces re-authentication, and one whose token was revoked
     * stays out. The same code a token revocation closes with.
     */
    public static final ErrorCode ADMIN_DISCONNECT_CODE = ErrorCode.AUTH_FAILED;
    /** The ERROR text an admin disconnect sends. */
    public static final String ADMIN_DISCONNECT_TEXT = "disconnected by an operator";

    private final int index;
    private final RingBuffer queue;
    private final InboxStore store;
    private final DurableBatcher batcher;
    private final DeviceRouter router;
    private final Egress egress;
    private final EngineCounters counters;
    private final PendingRequests requests;
    private final OfflineListener offlineListener;
    private final EpochClock clock;
    private final int maxBatch;
    private final int maxPayload;
    private final int heartbeatMillis;
    private final long storageRetryMillis;
    private final UserTable users;
    private final RecipientValidator recipients;
    private final MessageHandler handler = this::onCommand;
    private final ExpandableDirectByteBuffer record = new ExpandableDirectByteBuffer(Protocol.DEFAULT_MAX_PAYLOAD + 256);
    private final ExpandableDirectByteBuffer frame = new ExpandableDirectByteBuffer(256);

    // per append of the open batch, indexed by the batcher token
    private final byte[] pendingOriginKind;
    private final long[] pendingOrigin;
    private final long[] pendingMsgId;
    private volatile long cycles;
    private volatile boolean egressBacklog;
    private long nextStallCheckMillis;

    /**
     * @param index              this shard's index.
     * @param queue              the shard's command queue (I/O threads and the embedding API write it).
     * @param store              the storage provider.
     * @param batcher            group commit over {@code store}.
     * @param router             delivery to this shard's online devices.
     * @param egress             sends frames to device addresses (the same one the router uses).
     * @param requests           futures of embedding API requests.
     * @param offlineListener    told about messages stored for offline users, may be null.
     * @param clock              server time.
     * @param maxBatch           the most commands drained per cycle; also the batcher's capacity.
     * @param maxPayload         announced in LOGIN_OK.
     * @param heartbeatMillis    announced in LOGIN_OK.
     * @param storageRetryMillis retry-after answered with STORAGE_UNAVAILABLE.
     * @param recipients         decides whether a recipient exists ({@link RecipientValidator#ANY} for no check).
     * @param maxCachedUsers     the most user ids the shard keeps interned (see {@link UserTable}).
     * @param counters           the engine's counters.
     */
    public ShardAgent(final int index, final RingBuffer queue, final InboxStore store, final DurableBatcher batcher,
                      final DeviceRouter router, final Egress egress,
                      final PendingRequests requests, final OfflineListener offlineListener, final EpochClock clock,
                      final int maxBatch, final int maxPayload, final int heartbeatMillis,
                      final long storageRetryMillis, final RecipientValidator recipients, final int maxCachedUsers,
                      final EngineCounters counters) {
        this.recipients = Objects.requireNonNull(recipients, "recipients");
        this.users = new UserTable(maxCachedUsers);
        this.index = index;
        this.queue = queue;
        this.store = store;
        this.batcher = batcher;
        this.router = router;
        this.egress = egress;
        this.counters = Objects.requireNonNull(counters, "counters");
        this.requests = requests;
        this.offlineListener = offlineListener;
        this.clock = clock;
        this.maxBatch = maxBatch;
        this.maxPayload = maxPayload;
        this.heartbeatMillis = heartbeatMillis;
        this.storageRetryMillis = storageRetryMillis;
        this.pendingOriginKind = new byte[maxBatch];
        this.pendingOrigin = new long[maxBatch];
        this.pendingMsgId = new long[maxBatch];
    }

    @Override
    public int doWork() {
        int work = egress.retry();
        work += queue.read(handler, maxBatch);
        work += flush();
        work += router.pump();
        final long now = clock.time();
        if (now >= nextStallCheckMillis) {
            nextStallCheckMillis = now + STALL_CHECK_INTERVAL_MILLIS;
            work += router.closeStalled(now);
        }
        counters.queueDepth(index, queue.size());
        egressBacklog = egress.hasBacklog();
        cycles++;
        return work;
    }

    @Override
    public String roleName() {
        return "iris-shard-" + index;
    }

    /** @return duty cycles completed so far; used to wait for a quiet shard at shutdown. */
    public long cycles() {
        return cycles;
    }

    /**
     * Any thread: published at the end of each duty cycle.
     *
     * @return true if frames waited in the egress's outbox after the last duty cycle.
     */
    public boolean hasEgressBacklog() {
        return egressBacklog;
    }

    private void onCommand(final int type, final DirectBuffer buffer, final int index, final int length) {
        switch (type) {
            case ShardCommand.SEND:
                onSend(buffer, index);
                break;
            case ShardCommand.LOGIN:
                flush();
                onLogin(buffer, index);
                break;
            case ShardCommand.LOGOUT:
                router.offline(buffer.getLong(index + ShardCommand.DEVICE));
                break;
            case ShardCommand.DELIVER_ACK:
                counters.deliveryAcked();
                router.acked(buffer.getLong(index + ShardCommand.DEVICE),
                    buffer.getLong(index + ShardCommand.ACK_UP_TO));
                break;
            case ShardCommand.PRESENCE:
                onPresence(buffer, index);
                break;
            case ShardCommand.SESSIONS:
            case ShardCommand.DISCONNECT:
                onAdmin(type, buffer, index);
                break;
            default:
                LOG.error("shard {} ignores unknown command type {}", this.index, type);
        }
    }

    private void onSend(final DirectBuffer b, final int i) {
        final long origin = b.getLong(i + ShardCommand.ORIGIN);
        final byte originKind = b.getByte(i + ShardCommand.SEND_ORIGIN_KIND);
        final long msgId = b.getLong(i + ShardCommand.SEND_CLIENT_MSG_ID);
        final int senderLength = ShardCommand.sendSenderLength(b, i);
        final int recipientOffset = ShardCommand.sendRecipientOffset(b, i);
        final int recipientLength = ShardCommand.sendRecipientLength(b, i);
        UserTable.User recipient = users.find(b, recipientOffset, recipientLength);
        if (recipients != RecipientValidator.ANY
            && !exists(recipient != null ? recipient.id : b.getStringWithoutLengthUtf8(recipientOffset, recipientLength))) {
            reply(originKind, origin, msgId, SendStatus.INVALID_RECIPIENT, 0, 0); // nothing stored, nothing cached
            return;
        }
        final UserTable.User sender = users.getOrCreate(b, i + ShardCommand.SEND_SENDER, senderLength);
        if (recipient == null) {
            recipient = users.getOrCreate(b, recipientOffset, recipientLength);
        }
        counters.cachedUsers(index, users.size());

        if (batcher.isFull()) {
            flush();
        }
        final int length = StoredMessage.write(record, 0, clock.time(), msgId,
            b, i + ShardCommand.SEND_SENDER, senderLength,
            b, ShardCommand.sendPayloadOffset(b, i), ShardCommand.sendPayloadLength(b, i));
        final int token = batcher.pending();
        pendingOriginKind[token] = originKind;
        pendingOrigin[token] = origin;
        pendingMsgId[token] = msgId;
        try {
            batcher.append(recipient.id, sender.id, msgId, record, 0, length, token);
        } catch (final StorageUnavailableException e) {
            LOG.warn("shard {}: append for {} refused: {}", index, recipient.id, e.getMessage());
            counters.storageError();
            reply(originKind, origin, msgId, SendStatus.STORAGE_UNAVAILABLE, 0, storageRetryMillis);
        }
    }

    private boolean exists(final String recipientId) {
        try {
            return recipients.exists(recipientId);
        } catch (final RuntimeException e) {
            LOG.warn("shard {}: recipient validator failed for {}; answered INVALID_RECIPIENT", index, recipientId, e);
            return false;
        }
    }

    private int flush() {
        final int records = batcher.flush(this);
        if (records > 0) {
            counters.groupCommit(records);
        }
        return records;
    }

    @Override
    public void onDurable(final String userId, final long seq, final long token, final DirectBuffer rec,
                          final int offset, final int length) {
        final int t = (int) token;
        reply(pendingOriginKind[t], pendingOrigin[t], pendingMsgId[t], SendStatus.STORED, seq, 0);
        router.route(userId, seq, rec, offset, length);
        if (offlineListener != null && !router.isOnline(userId)) {
            try {
                offlineListener.onOfflineMessage(userId, StoredMessage.sender(rec, offset), seq);
            } catch (final RuntimeException e) {
                LOG.warn("offline listener failed for {} seq {}", userId, seq, e);
            }
        }
    }

    @Override
    public void onDuplicate(final String userId, final long originalSeq, final long token) {
        final int t = (int) token;
        reply(pendingOriginKind[t], pendingOrigin[t], pendingMsgId[t], SendStatus.DUPLICATE, originalSeq, 0);
    }

    @Override
    public void onFailed(final String userId, final long seq, final long token, final RuntimeException cause) {
        final int t = (int) token;
        LOG.warn("shard {}: sync failed, seq {} of {} not acknowledged: {}", index, seq, userId, cause.toString());
        if (t == 0) {
            counters.storageError(); // one failed sync fails its whole batch: count the sync once
        }
        reply(pendingOriginKind[t], pendingOrigin[t], pendingMsgId[t], SendStatus.STORAGE_UNAVAILABLE, 0,
            storageRetryMillis);
    }

    private void onLogin(final DirectBuffer b, final int i) {
        final long device = b.getLong(i + ShardCommand.DEVICE);
        final long resume = b.getLong(i + ShardCommand.LOGIN_CURSOR);
        final int userLength = ShardCommand.loginUserLength(b, i);
        final UserTable.User user = users.getOrCreate(b, i + ShardCommand.LOGIN_USER, userLength);
        counters.cachedUsers(index, users.size());
        final String deviceId = b.getStringWithoutLengthUtf8(i + ShardCommand.LOGIN_USER + userLength,
            ShardCommand.loginDeviceLength(b, i));
        final long lastSeq;
        long cursor;
        try {
            lastSeq = store.lastSeq(user.id);
            cursor = startCursor(store.cursor(user.id, deviceId), resume, lastSeq, store.oldestSeq(user.id));
            store.ack(user.id, deviceId, cursor); // makes the device known, so trimming waits for it
        } catch (final RuntimeException e) {
            LOG.warn("shard {}: login of {} failed in storage: {}", index, user.id, e.toString());
            counters.storageError();
            counters.loginRefused(ErrorCode.INTERNAL);
            egress.close(device, ErrorCode.INTERNAL, "storage unavailable, retry later");
            return;
        }
        final int version = b.getByte(i + ShardCommand.LOGIN_VERSION); // negotiated by the session handler
        final int len = FrameEncoder.loginOk(frame, 0, version, user.idBytes, clock.time(), maxPayload,
            heartbeatMillis, cursor, lastSeq);
        egress.send(device, frame, 0, len);
        counters.loginOk();
        router.online(user.id, deviceId, device, cursor, lastSeq);
    }

    /**
     * Where a logging-in device's delivery resumes (docs/protocol.md, "Session"): after its stored cursor,
     * or after the {@code resumeCursor} it sent when that is higher (clamped to {@code lastSeq}: a device
     * cannot have received what was never stored), and never before the oldest record still stored, so
     * LOGIN_OK never promises records that were trimmed or expired. A negative resume cursor means "unknown".
     *
     * @param stored    the device's cursor in storage (0 for a new device).
     * @param resume    the LOGIN's {@code resumeCursor}.
     * @param lastSeq   the newest seq of the inbox.
     * @param oldestSeq the oldest readable seq ({@code lastSeq + 1} when none is left).
     * @return the LOGIN_OK cursor, in {@code [0, lastSeq]}.
     */
    static long startCursor(final long stored, final long resume, final long lastSeq, final long oldestSeq) {
        long cursor = Math.max(stored, oldestSeq - 1);
        if (resume > cursor) {
            cursor = resume; // the device says it has these: count them as acknowledged
        }
        return Math.max(0, Math.min(cursor, lastSeq));
    }

    private void onPresence(final DirectBuffer b, final int i) {
        final long origin = b.getLong(i + ShardCommand.ORIGIN);
        final byte originKind = b.getByte(i + ShardCommand.PRESENCE_ORIGIN_KIND);
        final int userLength = ShardCommand.presenceUserLength(b, i);
        final byte[] userBytes = new byte[userLength];
        b.getBytes(i + ShardCommand.PRESENCE_USER, userBytes);
        final String userId = new String(userBytes, StandardCharsets.UTF_8);
        final boolean online = router.isOnline(userId);
        final long lastSeen = router.lastSeen(userId);
        if (originKind == ReplyOrigin.API) {
            requests.completePresence(origin, new Presence(userId, online, lastSeen));
        } else {
            final int len = FrameEncoder.presence(frame, 0, userBytes, online, lastSeen);
            egress.send(origin, frame, 0, len);
        }
    }

    /**
     * The admin API's commands: answered to a {@link PendingRequests} request on this shard's thread, from the
     * router's own state (no lock, no wait). A DISCONNECT closes with {@link #ADMIN_DISCONNECT_CODE}.
     */
    private void onAdmin(final int type, final DirectBuffer b, final int i) {
        final long request = b.getLong(i + ShardCommand.ADMIN_REQUEST);
        final int userLength = ShardCommand.adminUserLength(b, i);
        final int deviceLength = ShardCommand.adminDeviceLength(b, i);
        final String userId = b.getStringWithoutLengthUtf8(i + ShardCommand.ADMIN_USER, userLength);
        if (type == ShardCommand.SESSIONS) {
            requests.completeSessions(request, router.sessions(userId));
            return;
        }
        final String deviceId = deviceLength == 0 ? null
            : b.getStringWithoutLengthUtf8(i + ShardCommand.ADMIN_USER + userLength, deviceLength);
        requests.completeDisconnect(request, router.disconnect(userId, deviceId, ADMIN_DISCONNECT_CODE,
            ADMIN_DISCONNECT_TEXT));
    }

    /** Answers a SEND to its origin: a frame to a client or peer address, or the embedding API's future. */
    private void reply(final byte originKind, final long origin, final long msgId, final SendStatus status,
                       final long seq, final long retryAfterMillis) {
        counters.send(status);
        final long now = clock.time();
        if (originKind == ReplyOrigin.API) {
            requests.completeSend(origin, new SendReceipt(status, seq, now, retryAfterMillis));
            return;
        }
        final int len = FrameEncoder.sendAck(frame, 0, msgId, status.code(), seq, now, retryAfterMillis);
        egress.send(origin, frame, 0, len);
    }
}
