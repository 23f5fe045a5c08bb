package io.iris.storage.redis;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InboxKeysTest {
    private static final List<String> AWKWARD = List.of("alice", "{alice}", "a{b", "a}b", "}{", "{", "}", "{}", "%", "%7B",
        "%257B", "a%b", "ä日本🙂", "", " ", "x".repeat(64), "iris:{x}:seq");

    @Test
    void keysNameTheUserInsideOneWellFormedHashTag() {
        final InboxKeys keys = new InboxKeys("iris");
        assertThat(str(keys.seq("alice"))).isEqualTo("iris:{alice}:seq");
        assertThat(str(keys.log("alice"))).isEqualTo("iris:{alice}:log");
        assertThat(str(keys.cursors("alice"))).isEqualTo("iris:{alice}:cur");
        assertThat(str(keys.of("alice")[InboxKeys.DEDUP_KEY])).isEqualTo("iris:{alice}:dedup");
        assertThat(str(keys.seq("a{b}c"))).isEqualTo("iris:{a%7Bb%7Dc}:seq");
        assertThat(str(keys.seq("100%"))).isEqualTo("iris:{100%25}:seq");
    }

    @Test
    void everyKeyOfAUserIsOnTheSameClusterSlotAndTheTagIsTheUsersAlone() {
        final InboxKeys keys = new InboxKeys("iris");
        for (final String user : AWKWARD) {
            final byte[][] all = keys.of(user);
            final String tag = str(InboxKeys.tag(user));
            assertThat(tag).doesNotContain("{", "}").isNotEmpty();
            final int slot = SlotHash.getSlot(all[0]);
            for (final byte[] k : all) {
                assertThat(SlotHash.getSlot(k)).as("key %s", str(k)).isEqualTo(slot);
                assertThat(SlotHash.getSlot(k)).isEqualTo(SlotHash.getSlot(tag.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    @Test
    void distinctUsersGetDistinctTags() {
        final Set<String> tags = new HashSet<>();
        for (final String user : AWKWARD) {
            assertThat(tags.add(str(InboxKeys.tag(user)))).as("tag of '%s'", user).isTrue();
        }
    }

    @Test
    void dedupMembersSeparateTheIdFromTheSender() {
        assertThat(str(InboxKeys.dedupMember("bob", 42))).isEqualTo("42:bob");
        assertThat(str(InboxKeys.dedupMember("x:1", 1))).isNotEqualTo(str(InboxKeys.dedupMember("x", 11)))
            .isNotEqualTo(str(InboxKeys.dedupMember("1:x", 1)));
        assertThat(str(InboxKeys.dedupMember("bob", -7))).isEqualTo("-7:bob");
    }

    @Test
    void aPrefixWithBracesIsRefused() {
        assertThatThrownBy(() -> new InboxKeys("a{b")).isInstanceOf(IllegalArgumentException.class);
    }

    private static String str(final byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
