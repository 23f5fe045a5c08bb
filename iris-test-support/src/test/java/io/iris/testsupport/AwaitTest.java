package io.iris.testsupport;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AwaitTest {
    @Test
    void returnsOnceTheConditionHolds() {
        final AtomicInteger polls = new AtomicInteger();
        Await.until(() -> polls.incrementAndGet() >= 3, "three polls");
        assertThat(polls).hasValue(3);
    }

    @Test
    void failsNamingWhatItWaitedForPastTheDeadline() {
        assertThatThrownBy(() -> Await.until(() -> false, 1, "a condition that never holds"))
            .isInstanceOf(AssertionError.class)
            .hasMessage("timed out after 1 s waiting for a condition that never holds");
    }

    @Test
    void anInterruptFailsTheWait() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Await.until(() -> false, 60, "something"))
            .isInstanceOf(AssertionError.class).hasMessageContaining("interrupted");
        assertThat(Thread.interrupted()).as("the flag was consumed").isFalse();
    }
}
