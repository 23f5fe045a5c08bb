package io.iris.protocol;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorCodeTest {
    @Test
    void everyCodeRoundTripsAndUnknownCodesAreNull() {
        final Set<Integer> seen = new HashSet<>();
        for (final ErrorCode c : ErrorCode.values()) {
            assertThat(seen.add(c.code())).as("unique wire value %s", c).isTrue();
            assertThat(ErrorCode.fromCode(c.code())).isSameAs(c);
        }
        assertThat(ErrorCode.fromCode(15)).isSameAs(ErrorCode.TOO_MANY_CONNECTIONS);
        assertThat(ErrorCode.fromCode(16)).isSameAs(ErrorCode.LOGIN_THROTTLED);
        for (final int unknown : new int[] {-1, 0, 17, 63, 64, 65_535}) {
            assertThat(ErrorCode.fromCode(unknown)).as("code %d", unknown).isNull();
        }
    }
}
