package io.iris.engine.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ShardAgent#startCursor}: the LOGIN_OK cursor rule of docs/protocol.md, case by case. */
class StartCursorTest {
    @Test
    void aNewDeviceStartsAtZeroWhenNothingWasTrimmed() {
        assertThat(ShardAgent.startCursor(0, -1, 5, 1)).isZero();
    }

    @Test
    void aNewDeviceStartsJustBeforeTheOldestStoredRecord() {
        assertThat(ShardAgent.startCursor(0, -1, 10, 11)).as("everything trimmed").isEqualTo(10);
        assertThat(ShardAgent.startCursor(0, 0, 10, 7)).as("1..6 trimmed or expired").isEqualTo(6);
    }

    @Test
    void aKnownDeviceBehindExpiredRecordsMovesUpToTheOldestStoredRecord() {
        assertThat(ShardAgent.startCursor(2, -1, 10, 6)).isEqualTo(5);
        assertThat(ShardAgent.startCursor(8, -1, 10, 6)).isEqualTo(8);
    }

    @Test
    void aHigherResumeCursorCountsAsAcknowledgedAndIsClampedToLastSeq() {
        assertThat(ShardAgent.startCursor(2, 7, 10, 1)).isEqualTo(7);
        assertThat(ShardAgent.startCursor(2, 99, 10, 1)).isEqualTo(10);
        assertThat(ShardAgent.startCursor(2, Long.MAX_VALUE, 0, 1)).isZero();
    }

    @Test
    void negativeOrLowerResumeCursorsAreIgnored() {
        assertThat(ShardAgent.startCursor(4, -1, 10, 1)).isEqualTo(4);
        assertThat(ShardAgent.startCursor(4, Long.MIN_VALUE, 10, 1)).isEqualTo(4);
        assertThat(ShardAgent.startCursor(4, 3, 10, 1)).isEqualTo(4);
    }
}
