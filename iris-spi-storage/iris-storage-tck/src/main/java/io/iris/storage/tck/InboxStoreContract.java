package io.iris.storage.tck;

import io.iris.api.storage.InboxStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The storage SPI's contract ({@link InboxStore}) as a JUnit 5 suite that every provider runs.
 *
 * <p>A provider's test class extends this one and implements {@link #newStore(StoreOptions)}: open a
 * fresh, empty store honouring the options (dedup window, retention, clock). Capabilities a provider
 * does not have are declared by overriding a hook, and the tests that need them are then reported as
 * skipped (JUnit assumptions), never as passed:
 * <ul>
 *   <li>{@link #survivesRestart()} and {@link #reopen}: durable providers reopen their data, so the
 *       restart tests run.</li>
 *   <li>{@link #honoursRetention()}: the provider honours {@code storage.retentionSeconds} with the
 *       clock it was given.</li>
 *   <li>{@link #trimsAcknowledgedRecords()}: the provider drops records every known device acknowledged
 *       (the contract allows keeping them; a provider that does should say so).</li>
 *   <li>{@link #keepsLastSeen()}: the provider implements {@link InboxStore#recordLastSeen} and
 *       {@link InboxStore#lastSeen}.</li>
 * </ul>
 * Every store opened through {@link #open} is closed after each test. The suite only reads what a
 * {@link InboxStore#sync()} covered, and never asserts that something was forgotten (dedup keys
 * beyond the window, records the contract merely allows trimming) unless the provider claimed it.
 */
public abstract class InboxStoreContract {
    /** Where the manual clock starts: 2023-11-14T22:13:20Z. */
    protected static final long CLOCK_START_MILLIS = 1_700_000_000_000L;

    /** The clock every store of a test is given; tests move it to check retention. */
    protected final ManualClock clock = new ManualClock(CLOCK_START_MILLIS);

    private final List<InboxStore> opened = new ArrayList<>();

    /**
     * Opens a fresh, empty store. Called several times per test at most; each store is closed after
     * the test.
     *
     * @param options the dedup window, retention and clock the store must use.
     * @return a store with no inbox in it.
     */
    protected abstract InboxStore newStore(StoreOptions options);

    /**
     * @return true when the provider keeps synced data across a close and {@link #reopen}: enables the
     * restart tests.
     */
    protected boolean survivesRestart() {
        return false;
    }

    /**
     * Closes {@code store} as a process exit would (after the TCK synced it) and opens a store over the
     * same data. Only called when {@link #survivesRestart()}.
     *
     * @param store   the store to close.
     * @param options the options it was opened with.
     * @return the reopened store.
     */
    protected InboxStore reopen(final InboxStore store, final StoreOptions options) {
        throw new UnsupportedOperationException("override reopen() when survivesRestart() is true");
    }

    /** @return true when the provider honours the retention with the clock of {@link StoreOptions}. */
    protected boolean honoursRetention() {
        return true;
    }

    /** @return true when records every known device acknowledged are no longer read. */
    protected boolean trimsAcknowledgedRecords() {
        return true;
    }

    /**
     * @return true when the provider keeps last-seen times ({@link InboxStore#recordLastSeen}); the
     * SPI's default keeps none.
     */
    protected boolean keepsLastSeen() {
        return true;
    }

    /** @return how many records the large-inbox test appends to one user. */
    protected int largeInboxSize() {
        return 20_000;
    }

    /** @return the options most tests open stores with: a dedup window of 1,024, 30 days' retention. */
    protected StoreOptions defaultOptions() {
        return new StoreOptions(1024, 2_592_000L, clock);
    }

    /** @return a fresh store opened with {@link #defaultOptions()}. */
    protected final InboxStore open() {
        return open(defaultOptions());
    }

    /**
     * @param options the options.
     * @return a fresh store, closed after the test.
     */
    protected final InboxStore open(final StoreOptions options) {
        final InboxStore store = newStore(options);
        assertThat(store).as("newStore() returned null").isNotNull();
        opened.add(store);
        return store;
    }

    private InboxStore restart(final InboxStore store, final StoreOptions options) {
        store.sync();
        final InboxStore again = reopen(store, options);
        assertThat(again).as("reopen() returned null").isNotNull();
        opened.add(again);
        return again;
    }

    @AfterEach
    final void closeStores() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (final RuntimeException ignored) {
                // closing twice, or a store the test broke on purpose: nothing more to release here
            }
        }
        opened.clear();
    }

    // ---------------------------------------------------------------- sequence numbers

    @Test
    void firstAppendOfAUserIsSeqOneAndEachNextOneIsOneMore() {
        final InboxStore store = open();
        for (int i = 1; i <= 10; i++) {
            assertThat(append(store, "alice", "bob", i, record("alice", i))).isEqualTo(i);
        }
        store.sync();
        assertThat(store.lastSeq("alice")).isEqualTo(10);
    }

    @Test
    void everyUserHasItsOwnSequence() {
        final InboxStore store = open();
        for (int i = 1; i <= 5; i++) {
            assertThat(append(store, "alice", "s", i, record("alice", i))).isEqualTo(i);
            assertThat(append(store, "bob", "s", i, record("bob", i))).isEqualTo(i);
            assertThat(append(store, "carol", "s", i, record("carol", i))).isEqualTo(i);
        }
        store.sync();
        assertThat(read(store, "bob", 0, 100)).extracting(Rec::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void lastSeqIsZeroForAnUnknownUserAndFollowsEveryAppend() {
        final InboxStore store = open();
        assertThat(store.lastSeq("nobody")).isZero();
        append(store, "alice", "bob", 1, record("alice", 1));
        assertThat(store.lastSeq("alice")).as("before sync").isEqualTo(1);
        append(store, "alice", "bob", 2, record("alice", 2));
        store.sync();
        assertThat(store.lastSeq("alice")).isEqualTo(2);
        assertThat(store.lastSeq("nobody")).isZero();
    }

    @Test
    void syncWithNothingAppendedReturns() {
        final InboxStore store = open();
        store.sync();
        store.sync();
        append(store, "alice", "bob", 1, record("alice", 1));
        store.sync();
        store.sync();
        assertThat(store.lastSeq("alice")).isEqualTo(1);
    }

    @Test
    void appendRefusesAnEmptyRecord() {
        final InboxStore store = open();
        assertThatThrownBy(() -> store.append("alice", "bob", 1, new UnsafeBuffer(new byte[4]), 0, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lastSeq("alice")).isZero();
    }

    // ---------------------------------------------------------------- records and reads

    @Test
    void recordsComeBackByteForByteFromAnyOffsetAndKindOfBuffer() {
        final InboxStore store = open();
        final byte[] one = {42};
        final byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        final byte[] large = new byte[256 * 1024 + 1];
        new Random(7).nextBytes(large);
        final byte[] viaDirect = "held in a direct buffer".getBytes(StandardCharsets.UTF_8);

        assertThat(append(store, "alice", "s", 1, one)).isEqualTo(1);
        assertThat(append(store, "alice", "s", 2, binary)).isEqualTo(2);
        assertThat(append(store, "alice", "s", 3, large)).isEqualTo(3);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
        direct.setMemory(0, 100, (byte) 0x7f);
        direct.putBytes(33, viaDirect);
        assertThat(store.append("alice", "s", 4, direct, 33, viaDirect.length)).isEqualTo(4);
        store.sync();

        final List<Rec> recs = read(store, "alice", 0, 10);
        assertThat(recs).extracting(Rec::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(recs.get(0).bytes()).isEqualTo(one);
        assertThat(recs.get(1).bytes()).isEqualTo(binary);
        assertThat(recs.get(2).bytes()).isEqualTo(large);
        assertThat(recs.get(3).bytes()).isEqualTo(viaDirect);
    }

    @Test
    void readReturnsTheRecordsAfterTheGivenSeqInOrder() {
        final InboxStore store = open();
        appendMany(store, "alice", 10);
        store.sync();
        assertThat(read(store, "alice", 0, 100)).extracting(Rec::seq)
            .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        final List<Rec> tail = read(store, "alice", 7, 100);
        assertThat(tail).extracting(Rec::seq).containsExactly(8L, 9L, 10L);
        assertThat(tail.get(0).bytes()).isEqualTo(record("alice", 8));
        assertThat(read(store, "alice", 10, 100)).isEmpty();
        assertThat(read(store, "alice", 11, 100)).isEmpty();
        assertThat(read(store, "alice", Long.MAX_VALUE - 1, 100)).isEmpty();
    }

    @Test
    void readVisitsAtMostMaxRecords() {
        final InboxStore store = open();
        appendMany(store, "alice", 10);
        store.sync();
        assertThat(read(store, "alice", 0, 1)).extracting(Rec::seq).containsExactly(1L);
        assertThat(read(store, "alice", 4, 3)).extracting(Rec::seq).containsExactly(5L, 6L, 7L);
        final int[] visits = {0};
        assertThat(store.read("alice", 0, 0, (seq, b, o, l) -> visits[0]++)).isZero();
        assertThat(visits[0]).isZero();
    }

    @Test
    void readOfAnUnknownUserVisitsNothing() {
        final InboxStore store = open();
        appendMany(store, "alice", 3);
        store.sync();
        assertThat(read(store, "nobody", 0, 10)).isEmpty();
        assertThat(store.cursor("nobody", "phone")).isZero();
    }

    @Test
    void aLargeInboxIsReadInPagesFromAnyCursor() {
        final InboxStore store = open();
        final int n = largeInboxSize();
        for (int i = 1; i <= n; i++) {
            assertThat(append(store, "big", "s", i, record("big", i))).isEqualTo(i);
            if (i % 1000 == 0) {
                store.sync();
            }
        }
        store.sync();
        assertThat(store.lastSeq("big")).isEqualTo(n);
        long after = 0;
        int pages = 0;
        while (true) {
            final List<Rec> page = read(store, "big", after, 1000);
            if (page.isEmpty()) {
                break;
            }
            for (final Rec r : page) {
                assertThat(r.seq()).isEqualTo(after + 1);
                assertThat(r.bytes()).isEqualTo(record("big", r.seq()));
                after = r.seq();
            }
            pages++;
        }
        assertThat(after).isEqualTo(n);
        assertThat(pages).isEqualTo((n + 999) / 1000);

        store.ack("big", "phone", n / 2);
        assertThat(read(store, "big", n / 2 + 10, 3)).extracting(Rec::seq)
            .containsExactly(n / 2 + 11L, n / 2 + 12L, n / 2 + 13L);
        if (trimsAcknowledgedRecords()) {
            assertThat(read(store, "big", 0, 1)).extracting(Rec::seq).containsExactly(n / 2 + 1L);
        }
    }

    // ---------------------------------------------------------------- cursors, acks and trimming

    @Test
    void cursorIsZeroForAnUnknownDeviceAndOnlyMovesForward() {
        final InboxStore store = open();
        appendMany(store, "alice", 10);
        store.sync();
        assertThat(store.cursor("alice", "phone")).isZero();
        store.ack("alice", "phone", 5);
        assertThat(store.cursor("alice", "phone")).isEqualTo(5);
        store.ack("alice", "phone", 3);
        assertThat(store.cursor("alice", "phone")).isEqualTo(5);
        store.ack("alice", "phone", 5);
        assertThat(store.cursor("alice", "phone")).isEqualTo(5);
        store.ack("alice", "phone", 9);
        assertThat(store.cursor("alice", "phone")).isEqualTo(9);
        assertThat(store.cursor("alice", "laptop")).isZero();
    }

    @Test
    void anAckAboveLastSeqIsClampedToIt() {
        final InboxStore store = open();
        appendMany(store, "alice", 3);
        store.sync();
        store.ack("alice", "phone", 100);
        assertThat(store.cursor("alice", "phone")).isEqualTo(3);
        appendMany(store, "alice", 4, 6);
        store.sync();
        assertThat(read(store, "alice", 3, 10)).as("records after the clamped cursor stay")
            .extracting(Rec::seq).containsExactly(4L, 5L, 6L);
        store.ack("nobody", "phone", 7);
        assertThat(store.cursor("nobody", "phone")).as("no records: clamped to 0").isZero();
    }

    @Test
    void cursorsBelongToOneUser() {
        final InboxStore store = open();
        appendMany(store, "alice", 5);
        appendMany(store, "bob", 5);
        store.sync();
        store.ack("alice", "phone", 4);
        assertThat(store.cursor("bob", "phone")).isZero();
        assertThat(read(store, "bob", 0, 10)).hasSize(5);
    }

    @Test
    void aUserWithNoKnownDeviceKeepsEveryRecord() {
        final InboxStore store = open();
        appendMany(store, "alice", 50);
        store.sync();
        store.ack("bob", "phone", 50);
        assertThat(read(store, "alice", 0, 100)).hasSize(50);
    }

    @Test
    void recordsStayUntilEveryKnownDeviceAcknowledgedThem() {
        final InboxStore store = open();
        appendMany(store, "alice", 10);
        store.sync();
        store.ack("alice", "phone", 0);
        store.ack("alice", "laptop", 10);
        assertThat(read(store, "alice", 0, 100)).as("phone has acknowledged nothing")
            .extracting(Rec::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        store.ack("alice", "phone", 4);
        assertThat(read(store, "alice", 4, 100)).extracting(Rec::seq).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
        if (trimsAcknowledgedRecords()) {
            assertThat(read(store, "alice", 0, 100)).extracting(Rec::seq)
                .containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
            store.ack("alice", "phone", 10);
            assertThat(read(store, "alice", 0, 100)).isEmpty();
        }
    }

    @Test
    void anAckMakesTheDeviceKnownSoTrimmingWaitsForIt() {
        final InboxStore store = open();
        appendMany(store, "alice", 3);
        store.sync();
        store.ack("alice", "phone", 3);
        store.ack("alice", "tablet", 0); // a new device logs in with nothing received
        appendMany(store, "alice", 4, 6);
        store.sync();
        store.ack("alice", "phone", 6);
        assertThat(read(store, "alice", 0, 100)).as("the tablet has not acknowledged 4..6")
            .extracting(Rec::seq).contains(4L, 5L, 6L);
        store.ack("alice", "tablet", 6);
        if (trimsAcknowledgedRecords()) {
            assertThat(read(store, "alice", 0, 100)).isEmpty();
        }
    }

    @Test
    void trimmingNeverResetsTheSequence() {
        final InboxStore store = open();
        appendMany(store, "alice", 5);
        store.sync();
        store.ack("alice", "phone", 5);
        assertThat(store.lastSeq("alice")).isEqualTo(5);
        assertThat(append(store, "alice", "bob", 100, record("alice", 6))).isEqualTo(6);
        store.sync();
        assertThat(read(store, "alice", 5, 10)).extracting(Rec::seq).containsExactly(6L);
        assertThat(store.cursor("alice", "phone")).isEqualTo(5);
    }

    // ---------------------------------------------------------------- oldestSeq: where a new device starts

    @Test
    void oldestSeqIsOneForAnUnknownUserAndTheFirstRecordOfAnUntrimmedInbox() {
        final InboxStore store = open();
        assertThat(store.oldestSeq("nobody")).isEqualTo(1);
        appendMany(store, "alice", 4);
        store.sync();
        assertThat(store.oldestSeq("alice")).isEqualTo(1);
        store.ack("alice", "phone", 0);
        assertThat(store.oldestSeq("alice")).as("a device at cursor 0 trims nothing").isEqualTo(1);
    }

    /**
     * Issue 11: every known device acknowledged 1..N, so 1..N are trimmed; a device that appears now
     * must not be told that 1..N can still be read. {@code oldestSeq - 1} is where it starts.
     */
    @Test
    void aNewDeviceAfterATrimStartsAtTheOldestStoredRecord() {
        final InboxStore store = open();
        appendMany(store, "alice", 10);
        store.sync();
        store.ack("alice", "phone", 10);
        final long oldest = store.oldestSeq("alice");
        assertOldestSeqIsTheFirstReadable(store, "alice");
        if (trimsAcknowledgedRecords()) {
            assertThat(oldest).as("1..10 are trimmed: nothing is left to read").isEqualTo(11);
        }
        assertThat(store.cursor("alice", "tablet")).as("the new device itself is unknown").isZero();
        appendMany(store, "alice", 11, 12);
        store.sync();
        assertOldestSeqIsTheFirstReadable(store, "alice");
        if (trimsAcknowledgedRecords()) {
            assertThat(store.oldestSeq("alice")).isEqualTo(11);
        }
        store.ack("alice", "tablet", store.oldestSeq("alice") - 1); // the engine's login of the new device
        store.ack("alice", "phone", 12);
        assertThat(read(store, "alice", store.cursor("alice", "tablet"), 10)).as("the tablet gets 11 and 12")
            .extracting(Rec::seq).containsExactly(11L, 12L);
    }

    @Test
    void oldestSeqFollowsPartialTrimsAndIsLastSeqPlusOneWhenEverythingIsGone() {
        assumeTrue(trimsAcknowledgedRecords(), "the provider keeps acknowledged records");
        final InboxStore store = open();
        appendMany(store, "alice", 6);
        store.sync();
        store.ack("alice", "phone", 2);
        store.ack("alice", "laptop", 4);
        assertThat(store.oldestSeq("alice")).isEqualTo(3);
        store.ack("alice", "phone", 6);
        assertThat(store.oldestSeq("alice")).isEqualTo(5);
        store.ack("alice", "laptop", 6);
        assertThat(store.oldestSeq("alice")).isEqualTo(7);
        assertThat(store.lastSeq("alice")).isEqualTo(6);
    }

    private static void assertOldestSeqIsTheFirstReadable(final InboxStore store, final String user) {
        final long oldest = store.oldestSeq(user);
        final List<Rec> first = read(store, user, 0, 1);
        if (first.isEmpty()) {
            assertThat(oldest).as("nothing readable: lastSeq + 1").isEqualTo(store.lastSeq(user) + 1);
        } else {
            assertThat(oldest).as("the first readable record").isEqualTo(first.get(0).seq());
        }
    }

    // ---------------------------------------------------------------- last seen

    @Test
    void lastSeenIsZeroUntilRecordedAndTheLatestCallWins() {
        assumeTrue(keepsLastSeen(), "the provider keeps no last-seen times");
        final InboxStore store = open();
        assertThat(store.lastSeen("alice")).isZero();
        store.recordLastSeen("alice", CLOCK_START_MILLIS + 5);
        assertThat(store.lastSeen("alice")).isEqualTo(CLOCK_START_MILLIS + 5);
        assertThat(store.lastSeen("bob")).as("per user").isZero();
        store.recordLastSeen("alice", CLOCK_START_MILLIS + 9_000);
        assertThat(store.lastSeen("alice")).isEqualTo(CLOCK_START_MILLIS + 9_000);
        appendMany(store, "alice", 2);
        store.sync();
        store.ack("alice", "phone", 2);
        assertThat(store.lastSeen("alice")).as("untouched by appends, acks and trimming")
            .isEqualTo(CLOCK_START_MILLIS + 9_000);
        assertThat(store.lastSeq("alice")).isEqualTo(2);
    }

    @Test
    void lastSeenSurvivesARestart() {
        assumeTrue(keepsLastSeen(), "the provider keeps no last-seen times");
        assumeTrue(survivesRestart(), "the provider is not durable across restarts");
        final StoreOptions options = defaultOptions();
        InboxStore store = open(options);
        store.recordLastSeen("alice", CLOCK_START_MILLIS + 1);
        store.recordLastSeen("alice", CLOCK_START_MILLIS + 2);
        store.recordLastSeen("carol", CLOCK_START_MILLIS + 3);
        appendMany(store, "bob", 1);
        store = restart(store, options);
        assertThat(store.lastSeen("alice")).isEqualTo(CLOCK_START_MILLIS + 2);
        assertThat(store.lastSeen("carol")).isEqualTo(CLOCK_START_MILLIS + 3);
        assertThat(store.lastSeen("bob")).isZero();
        assertThat(store.lastSeq("bob")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- dedup

    @Test
    void aRepeatedDedupKeyReturnsTheOriginalSeqNegatedAndStoresNothing() {
        final InboxStore store = open();
        assertThat(append(store, "alice", "bob", 7, record("alice", 1))).isEqualTo(1);
        assertThat(append(store, "alice", "bob", 8, record("alice", 2))).isEqualTo(2);
        store.sync();
        assertThat(append(store, "alice", "bob", 7, record("alice", 99))).isEqualTo(-1);
        store.sync();
        assertThat(store.lastSeq("alice")).isEqualTo(2);
        assertThat(append(store, "alice", "bob", 9, record("alice", 3))).isEqualTo(3);
        store.sync();
        final List<Rec> recs = read(store, "alice", 0, 10);
        assertThat(recs).extracting(Rec::seq).containsExactly(1L, 2L, 3L);
        assertThat(recs.get(0).bytes()).as("the original is kept").isEqualTo(record("alice", 1));
    }

    @Test
    void aRetryInTheSameBatchAsItsOriginalIsRecognised() {
        final InboxStore store = open();
        assertThat(append(store, "alice", "bob", 7, record("alice", 1))).isEqualTo(1);
        assertThat(append(store, "alice", "bob", 7, record("alice", 1))).isEqualTo(-1);
        assertThat(append(store, "alice", "bob", 8, record("alice", 2))).isEqualTo(2);
        assertThat(append(store, "alice", "bob", 7, record("alice", 1))).isEqualTo(-1);
        store.sync();
        assertThat(read(store, "alice", 0, 10)).extracting(Rec::seq).containsExactly(1L, 2L);
    }

    @Test
    void theDedupKeyIsSenderAndClientMsgIdWithinOneInbox() {
        final InboxStore store = open();
        assertThat(append(store, "alice", "bob", 1, record("alice", 1))).isEqualTo(1);
        assertThat(append(store, "alice", "carol", 1, record("alice", 2))).as("other sender").isEqualTo(2);
        assertThat(append(store, "dave", "bob", 1, record("dave", 1))).as("other inbox").isEqualTo(1);
        assertThat(append(store, "alice", "bob", 2, record("alice", 3))).as("other id").isEqualTo(3);
        store.sync();
        assertThat(append(store, "alice", "carol", 1, record("alice", 2))).isEqualTo(-2);
        assertThat(append(store, "dave", "bob", 1, record("dave", 1))).isEqualTo(-1);
        store.sync();
    }

    @Test
    void anyClientMsgIdIsAKey() {
        final InboxStore store = open();
        final long[] ids = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 53, (1L << 53) + 1};
        for (int i = 0; i < ids.length; i++) {
            assertThat(append(store, "alice", "bob", ids[i], record("alice", i + 1))).isEqualTo(i + 1);
        }
        store.sync();
        for (int i = 0; i < ids.length; i++) {
            assertThat(append(store, "alice", "bob", ids[i], record("alice", i + 1))).isEqualTo(-(i + 1));
        }
        store.sync();
        assertThat(store.lastSeq("alice")).isEqualTo(ids.length);
    }

    @Test
    void dedupCoversTheConfiguredWindowOfRecentAppends() {
        final int window = 64;
        final InboxStore store = open(defaultOptions().withDedupWindow(window));
        assertThat(append(store, "alice", "bob", 1, record("alice", 1))).isEqualTo(1);
        store.sync();
        // window - 1 more appends to the store, across users: the key is still among the last `window`
        for (int i = 0; i < window - 1; i++) {
            append(store, i % 2 == 0 ? "alice" : "carol", "dave", 1000 + i, record("x", i));
        }
        store.sync();
        assertThat(append(store, "alice", "bob", 1, record("alice", 1))).isEqualTo(-1);
        store.sync();
    }

    @Test
    void dedupOutlivesTrimming() {
        final InboxStore store = open();
        assertThat(append(store, "alice", "bob", 5, record("alice", 1))).isEqualTo(1);
        store.sync();
        store.ack("alice", "phone", 1);
        assertThat(append(store, "alice", "bob", 5, record("alice", 1))).isEqualTo(-1);
        store.sync();
        assertThat(store.lastSeq("alice")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- identifiers

    @Test
    void userAndDeviceIdsAreOpaqueStrings() {
        final InboxStore store = open();
        final String[] users = {"a", "a{", "a}", "{a}", "}{", "{", "}", "a:b", "a b", "%7B", "ä日本🙂",
            "x".repeat(64), "{user}:seq", "iris:{a}:log"};
        for (int u = 0; u < users.length; u++) {
            for (int i = 1; i <= u + 1; i++) {
                assertThat(append(store, users[u], users[(u + 1) % users.length], i, record(users[u], i)))
                    .as("user %s", users[u]).isEqualTo(i);
            }
        }
        store.sync();
        for (int u = 0; u < users.length; u++) {
            assertThat(store.lastSeq(users[u])).as("user %s", users[u]).isEqualTo(u + 1);
            final List<Rec> recs = read(store, users[u], 0, 100);
            assertThat(recs).hasSize(u + 1);
            assertThat(recs.get(u).bytes()).isEqualTo(record(users[u], u + 1));
            store.ack(users[u], users[u] + "{dev}", 1);
            assertThat(store.cursor(users[u], users[u] + "{dev}")).isEqualTo(1);
            assertThat(store.cursor(users[u], users[u])).isZero();
        }
        // a retried key from a sender whose id looks like a key of another one stays per sender
        assertThat(append(store, "a", "x:1", 1, record("a", 10))).isEqualTo(2);
        assertThat(append(store, "a", "x", 1, record("a", 11))).isEqualTo(3);
        store.sync();
    }

    // ---------------------------------------------------------------- threads

    @Test
    void concurrentAppendersToOneInboxGetEverySeqExactlyOnce() throws Exception {
        final InboxStore store = open();
        final int threads = 4;
        final int perThread = 500;
        final long[][] seqs = new long[threads][perThread];
        runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                seqs[t][i] = append(store, "shared", "sender-" + t, i, ("t" + t + "#" + i).getBytes(StandardCharsets.UTF_8));
                if (i % 50 == 49) {
                    store.sync();
                }
            }
            store.sync();
        });
        final Set<Long> all = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                assertThat(seqs[t][i]).isPositive();
                assertThat(all.add(seqs[t][i])).as("seq %d handed out twice", seqs[t][i]).isTrue();
                if (i > 0) {
                    assertThat(seqs[t][i]).as("one appender's records keep their order").isGreaterThan(seqs[t][i - 1]);
                }
            }
        }
        assertThat(all).hasSize(threads * perThread);
        assertThat(store.lastSeq("shared")).isEqualTo(threads * perThread);
        final Map<Long, String> bySeq = new HashMap<>();
        long after = 0;
        for (List<Rec> page = read(store, "shared", 0, 700); !page.isEmpty(); page = read(store, "shared", after, 700)) {
            for (final Rec r : page) {
                bySeq.put(r.seq(), new String(r.bytes(), StandardCharsets.UTF_8));
                after = r.seq();
            }
        }
        assertThat(bySeq).hasSize(threads * perThread);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                assertThat(bySeq.get(seqs[t][i])).isEqualTo("t" + t + "#" + i);
            }
        }
    }

    @Test
    void concurrentAppendersToManyInboxesWithSyncsFromEveryThread() throws Exception {
        final InboxStore store = open();
        final int threads = 4;
        final int perThread = 400;
        final String[] users = {"u0", "u1", "u2", "u3", "u4", "u5", "u6"};
        final List<List<long[]>> got = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            got.add(new ArrayList<>());
        }
        runConcurrently(threads, t -> {
            final Random random = new Random(t);
            for (int i = 0; i < perThread; i++) {
                final int u = random.nextInt(users.length);
                final long seq = append(store, users[u], "sender-" + t, i, ("t" + t + "#" + i).getBytes(StandardCharsets.UTF_8));
                got.get(t).add(new long[]{u, seq, i});
                if (random.nextInt(20) == 0) {
                    store.sync();
                }
            }
            store.sync();
        });
        final Map<String, Set<Long>> seqsByUser = new HashMap<>();
        for (int t = 0; t < threads; t++) {
            for (final long[] g : got.get(t)) {
                assertThat(seqsByUser.computeIfAbsent(users[(int) g[0]], k -> new HashSet<>()).add(g[1])).isTrue();
            }
        }
        for (final String user : users) {
            final Set<Long> seqs = seqsByUser.getOrDefault(user, Set.of());
            assertThat(store.lastSeq(user)).isEqualTo(seqs.size());
            for (long s = 1; s <= seqs.size(); s++) {
                assertThat(seqs).contains(s);
            }
        }
        for (int t = 0; t < threads; t++) {
            for (final long[] g : got.get(t)) {
                final List<Rec> r = read(store, users[(int) g[0]], g[1] - 1, 1);
                assertThat(r).hasSize(1);
                assertThat(new String(r.get(0).bytes(), StandardCharsets.UTF_8)).isEqualTo("t" + t + "#" + g[2]);
            }
        }
    }

    @Test
    void aSyncOnAnyThreadCoversAppendsOfEveryThread() throws Exception {
        assumeTrue(survivesRestart(), "the provider does not survive a restart: nothing to check durability against");
        final StoreOptions options = defaultOptions();
        final InboxStore store = open(options);
        runConcurrently(1, t -> appendMany(store, "alice", 5));
        runConcurrently(1, t -> store.sync());
        final InboxStore again = reopen(store, options);
        opened.add(again);
        assertThat(again.lastSeq("alice")).isEqualTo(5);
        assertThat(read(again, "alice", 0, 10)).hasSize(5);
    }

    // ---------------------------------------------------------------- retention

    @Test
    void recordsOlderThanTheRetentionAreNoLongerRead() {
        assumeTrue(honoursRetention(), "the provider does not honour storage.retentionSeconds");
        final InboxStore store = open(defaultOptions().withRetentionSeconds(3600));
        appendMany(store, "alice", 3);
        store.sync();
        clock.advance(TimeUnit.MINUTES.toMillis(30));
        appendMany(store, "alice", 4, 5);
        store.sync();
        store.ack("alice", "phone", 0);
        clock.advance(TimeUnit.MINUTES.toMillis(30) + 1000);

        assertThat(read(store, "alice", 0, 100)).as("1..3 are older than an hour")
            .extracting(Rec::seq).containsExactly(4L, 5L);
        assertThat(read(store, "alice", 0, 1)).extracting(Rec::seq).containsExactly(4L);
        assertThat(store.lastSeq("alice")).isEqualTo(5);
        assertThat(store.cursor("alice", "phone")).isZero();
        assertThat(append(store, "alice", "bob", 1000, record("alice", 6))).isEqualTo(6);
        store.sync();

        clock.advance(TimeUnit.MINUTES.toMillis(40));
        assertThat(read(store, "alice", 0, 100)).extracting(Rec::seq).containsExactly(6L);
        assertThat(store.lastSeq("alice")).isEqualTo(6);
    }

    @Test
    void retentionSkipsAnyNumberOfExpiredRecordsInOneRead() {
        assumeTrue(honoursRetention(), "the provider does not honour storage.retentionSeconds");
        final InboxStore store = open(defaultOptions().withRetentionSeconds(60));
        appendMany(store, "alice", 2000);
        store.sync();
        clock.advance(61_000);
        appendMany(store, "alice", 2001, 2003);
        store.sync();
        assertThat(read(store, "alice", 0, 2)).extracting(Rec::seq).containsExactly(2001L, 2002L);
        assertThat(read(store, "alice", 10, 100)).extracting(Rec::seq).containsExactly(2001L, 2002L, 2003L);
    }

    @Test
    void expiredRecordsMoveTheOldestSeqForNewAndKnownDevices() {
        assumeTrue(honoursRetention(), "the provider does not honour storage.retentionSeconds");
        final InboxStore store = open(defaultOptions().withRetentionSeconds(3600));
        appendMany(store, "alice", 3);
        store.sync();
        store.ack("alice", "phone", 1);
        clock.advance(TimeUnit.MINUTES.toMillis(30));
        appendMany(store, "alice", 4, 5);
        store.sync();
        clock.advance(TimeUnit.MINUTES.toMillis(30) + 1000);
        assertThat(store.oldestSeq("alice")).as("2 and 3 expired, 4 is the oldest left").isEqualTo(4);
        assertOldestSeqIsTheFirstReadable(store, "alice");
        clock.advance(TimeUnit.MINUTES.toMillis(40));
        assertThat(store.oldestSeq("alice")).as("everything expired").isEqualTo(6);
        assertThat(store.lastSeq("alice")).isEqualTo(5);
    }

    // ---------------------------------------------------------------- restart

    @Test
    void syncedRecordsCursorsAndSequencesSurviveARestart() {
        assumeTrue(survivesRestart(), "the provider is not durable across restarts");
        final StoreOptions options = defaultOptions();
        InboxStore store = open(options);
        appendMany(store, "alice", 10);
        appendMany(store, "bob", 3);
        store.sync();
        store.ack("alice", "phone", 4);
        store.ack("alice", "laptop", 6);

        store = restart(store, options);
        assertThat(store.lastSeq("alice")).isEqualTo(10);
        assertThat(store.lastSeq("bob")).isEqualTo(3);
        assertThat(store.cursor("alice", "phone")).isEqualTo(4);
        assertThat(store.cursor("alice", "laptop")).isEqualTo(6);
        final List<Rec> recs = read(store, "alice", 4, 100);
        assertThat(recs).extracting(Rec::seq).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(recs.get(5).bytes()).isEqualTo(record("alice", 10));
        if (trimsAcknowledgedRecords()) {
            assertThat(read(store, "alice", 0, 1)).extracting(Rec::seq).containsExactly(5L);
        }
        assertThat(append(store, "alice", "zed", 1, record("alice", 11))).isEqualTo(11);
        assertThat(append(store, "carol", "zed", 1, record("carol", 1))).isEqualTo(1);
        store.sync();
        store.ack("alice", "phone", 11);
        store.ack("alice", "laptop", 11);
        store = restart(store, options);
        assertThat(store.lastSeq("alice")).as("trimming everything never resets the sequence").isEqualTo(11);
        assertOldestSeqIsTheFirstReadable(store, "alice");
        if (trimsAcknowledgedRecords()) {
            assertThat(store.oldestSeq("alice")).as("a new device after a restart starts after 11").isEqualTo(12);
        }
        assertThat(append(store, "alice", "zed", 2, record("alice", 12))).isEqualTo(12);
        store.sync();
    }

    @Test
    void dedupKeysSurviveARestart() {
        assumeTrue(survivesRestart(), "the provider is not durable across restarts");
        final StoreOptions options = defaultOptions();
        InboxStore store = open(options);
        assertThat(append(store, "alice", "bob", 42, record("alice", 1))).isEqualTo(1);
        assertThat(append(store, "alice", "bob", 43, record("alice", 2))).isEqualTo(2);
        store.sync();
        store = restart(store, options);
        assertThat(append(store, "alice", "bob", 43, record("alice", 2))).isEqualTo(-2);
        assertThat(append(store, "alice", "bob", 42, record("alice", 1))).isEqualTo(-1);
        assertThat(append(store, "alice", "bob", 44, record("alice", 3))).isEqualTo(3);
        store.sync();
    }

    // ---------------------------------------------------------------- everything at once, against a model

    /**
     * Random appends (new keys, retries, the same key to another inbox), syncs, acks and reads, checked
     * against a reference model of the contract. Trimming is allowed, not required: a read may start
     * later than asked only over records every known device acknowledged.
     *
     * @param seed the random seed (printed on failure through the assertion descriptions).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 20_240_229L, 0x5EEDL})
    void randomOperationsAgreeWithTheModel(final long seed) {
        final InboxStore store = open(defaultOptions().withDedupWindow(1 << 16));
        final Random random = new Random(seed);
        final String[] users = {"u0", "u1", "u2", "u{3}"};
        final String[] senders = {"s0", "s1", "s2"};
        final String[] devices = {"d0", "d1", "d2"};
        final Map<String, List<byte[]>> records = new HashMap<>();
        final Map<String, Map<String, Long>> cursors = new HashMap<>();
        final Map<String, Long> dedup = new HashMap<>();
        final Map<String, Long> trimmable = new HashMap<>();
        final List<String[]> keys = new ArrayList<>();
        final long[] nextId = new long[senders.length];
        for (int op = 0; op < 1500; op++) {
            final String where = "seed " + seed + " op " + op;
            final String user = users[random.nextInt(users.length)];
            final List<byte[]> inbox = records.computeIfAbsent(user, k -> new ArrayList<>());
            final int kind = random.nextInt(100);
            if (kind < 40 || keys.isEmpty()) {
                final int s = random.nextInt(senders.length);
                final long id = nextId[s]++;
                final byte[] rec = ("r" + op + ":" + user).getBytes(StandardCharsets.UTF_8);
                assertThat(append(store, user, senders[s], id, rec)).as(where).isEqualTo(inbox.size() + 1L);
                inbox.add(rec);
                dedup.put(user + '\0' + senders[s] + '\0' + id, (long) inbox.size());
                keys.add(new String[]{user, senders[s], Long.toString(id)});
            } else if (kind < 52) {
                final String[] k = keys.get(random.nextInt(keys.size()));
                final String target = random.nextInt(4) == 0 ? user : k[0];
                final String dk = target + '\0' + k[1] + '\0' + k[2];
                final List<byte[]> targetInbox = records.computeIfAbsent(target, x -> new ArrayList<>());
                final byte[] rec = ("retry" + op).getBytes(StandardCharsets.UTF_8);
                final long got = append(store, target, k[1], Long.parseLong(k[2]), rec);
                final Long original = dedup.get(dk);
                if (original != null) {
                    assertThat(got).as(where + " retry").isEqualTo(-original);
                } else {
                    assertThat(got).as(where + " same key, other inbox").isEqualTo(targetInbox.size() + 1L);
                    targetInbox.add(rec);
                    dedup.put(dk, (long) targetInbox.size());
                }
            } else if (kind < 62) {
                store.sync();
            } else if (kind < 77) {
                final String device = devices[random.nextInt(devices.length)];
                final long upTo = random.nextInt(inbox.size() + 4);
                store.ack(user, device, upTo);
                final Map<String, Long> c = cursors.computeIfAbsent(user, x -> new HashMap<>());
                c.merge(device, Math.min(upTo, inbox.size()), Math::max);
                // what was once acknowledged by every known device may stay trimmed, even after a new device appears
                trimmable.merge(user, c.values().stream().mapToLong(Long::longValue).min().orElse(0), Math::max);
            } else if (kind < 92) {
                store.sync();
                final long after = random.nextInt(inbox.size() + 2);
                final int max = 1 + random.nextInt(12);
                final List<Rec> got = read(store, user, after, max);
                final long trimmedUpTo = trimmable.getOrDefault(user, 0L);
                if (got.isEmpty()) {
                    assertThat(Math.max(after, trimmedUpTo)).as(where + " nothing read after " + after
                        + " although unacknowledged records are left").isGreaterThanOrEqualTo(inbox.size());
                    continue;
                }
                final long first = got.get(0).seq();
                assertThat(first).as(where + " read starts right after " + after + " or past acknowledged records")
                    .isGreaterThan(after).isLessThanOrEqualTo(Math.max(after + 1, trimmedUpTo + 1));
                final long expectedCount = Math.max(0, Math.min(max, inbox.size() - first + 1));
                assertThat(got).as(where + " read count").hasSize((int) expectedCount);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i).seq()).as(where).isEqualTo(first + i);
                    assertThat(got.get(i).bytes()).as(where).isEqualTo(inbox.get((int) (first + i - 1)));
                }
            } else if (kind < 96) {
                assertThat(store.lastSeq(user)).as(where).isEqualTo(inbox.size());
            } else {
                final String device = devices[random.nextInt(devices.length)];
                assertThat(store.cursor(user, device)).as(where)
                    .isEqualTo(cursors.getOrDefault(user, Map.of()).getOrDefault(device, 0L));
            }
        }
        store.sync();
    }

    // ---------------------------------------------------------------- helpers

    /** A record as read back: its seq and a copy of its bytes. */
    protected record Rec(long seq, byte[] bytes) {
        @Override
        public String toString() {
            return "#" + seq + " " + Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 16)));
        }
    }

    /**
     * @param user the inbox owner.
     * @param n    a number.
     * @return the record the TCK stores as number {@code n} of {@code user}.
     */
    protected static byte[] record(final String user, final long n) {
        return ("record " + n + " of " + user).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Appends {@code bytes}, placed at an odd offset of a larger buffer so providers must honour the offset.
     *
     * @param store       the store.
     * @param user        the inbox owner.
     * @param sender      the sender.
     * @param clientMsgId the sender's message id.
     * @param bytes       the record.
     * @return what {@link InboxStore#append} returned.
     */
    protected static long append(final InboxStore store, final String user, final String sender,
                                 final long clientMsgId, final byte[] bytes) {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[bytes.length + 11]);
        buffer.setMemory(0, buffer.capacity(), (byte) 0x55);
        buffer.putBytes(7, bytes);
        return store.append(user, sender, clientMsgId, buffer, 7, bytes.length);
    }

    /** Appends records 1..n of {@code user} (sender "tck", clientMsgId = n). */
    private static void appendMany(final InboxStore store, final String user, final int n) {
        appendMany(store, user, 1, n);
    }

    private static void appendMany(final InboxStore store, final String user, final int from, final int to) {
        for (int i = from; i <= to; i++) {
            assertThat(append(store, user, "tck", i, record(user, i))).as("append %d to %s", i, user).isEqualTo(i);
        }
    }

    /**
     * @param store    the store.
     * @param user     the inbox owner.
     * @param afterSeq read after this seq.
     * @param max      the most records.
     * @return copies of the records visited, checking the returned count matches the visits.
     */
    protected static List<Rec> read(final InboxStore store, final String user, final long afterSeq, final int max) {
        final List<Rec> out = new ArrayList<>();
        final int n = store.read(user, afterSeq, max, (seq, buffer, offset, length) -> out.add(copy(seq, buffer, offset, length)));
        assertThat(n).as("read() returns the number of records visited").isEqualTo(out.size());
        assertThat(out.size()).isLessThanOrEqualTo(Math.max(0, max));
        return out;
    }

    private static Rec copy(final long seq, final DirectBuffer buffer, final int offset, final int length) {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new Rec(seq, bytes);
    }

    /** A task run on each of several threads at once. */
    @FunctionalInterface
    protected interface PerThread {
        /**
         * @param thread the thread's index, from 0.
         * @throws Exception anything: fails the test.
         */
        void run(int thread) throws Exception;
    }

    /**
     * Runs {@code task} on {@code threads} threads released together, and waits (at most a minute).
     *
     * @param threads how many threads.
     * @param task    what each runs.
     * @throws Exception the first failure of a thread.
     */
    protected static void runConcurrently(final int threads, final PerThread task) throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int index = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    task.run(index);
                    return null;
                }));
            }
            start.countDown();
            for (final Future<?> f : futures) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
