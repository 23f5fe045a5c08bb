package io.iris.discovery.staticlist;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.Member;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code id@host:port} text form the static list (and {@code discovery.self}) is written in. */
class MemberTextTest {
    @Test
    void parsesNamesIPv4AndBracketedIPv6AndPrintsThemBack() {
        for (final String text : List.of("n1@node1.example:7801", "n2@10.0.0.2:7802", "n3@[::1]:7803")) {
            assertThat(Member.parse(text).toString()).isEqualTo(text);
        }
        assertThat(Member.parse(" n3@[fe80::1]:7803 ")).isEqualTo(new Member("n3", "fe80::1", 7803));
    }

    @Test
    void refusesMalformedText() {
        for (final String text : List.of("", "n1", "@h:1", "n1@h", "n1@h:x", "n1@::1:7800", "n1@[::1]7800",
            "n1@h:0", "n1@h:65536", "n 1@h:1")) {
            assertThatThrownBy(() -> Member.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void selfIncludedInTheListIsAccepted() {
        try (Discovery d = new StaticDiscoveryProvider().create(IrisConfig.of(Map.of(
            StaticDiscoveryProvider.KEY_MEMBERS, "b@127.0.0.2:7802, a@127.0.0.1:7801",
            "discovery.self", "a@127.0.0.1:7801")))) {
            assertThat(d.members()).containsExactly(new Member("a", "127.0.0.1", 7801),
                new Member("b", "127.0.0.2", 7802));
        }
    }
}
