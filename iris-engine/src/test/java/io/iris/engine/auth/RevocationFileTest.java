package io.iris.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iris.engine.auth.RevocationFile.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevocationFileTest {
    private static final long NOW_SECONDS = 1_700_000_000L;
    private static final long NOW = NOW_SECONDS * 1000;

    @TempDir
    Path dir;

    @Test
    void readsEntriesSkippingCommentsAndBlankLinesAndKeepingTheLatestExpiryPerId() throws Exception {
        final Path file = dir.resolve("revoked");
        Files.writeString(file, "# comment\n\n  a 100\nb\t200  \r\n# x 1\na 50\nc 300", StandardCharsets.UTF_8);
        assertThat(new RevocationFile(file).readIfChanged())
            .containsExactly(new Entry("a", 100), new Entry("b", 200), new Entry("c", 300));
    }

    @Test
    void missingFileIsEmptyAndChangesAreDetected() throws Exception {
        final Path file = dir.resolve("sub").resolve("revoked");
        final RevocationFile f = new RevocationFile(file);
        assertThat(f.readIfChanged()).isEmpty();
        assertThat(f.readIfChanged()).isNull(); // still missing: no change

        RevocationFile.add(file, "jti-1", NOW_SECONDS + 60, NOW);
        assertThat(f.readIfChanged()).containsExactly(new Entry("jti-1", NOW_SECONDS + 60));
        assertThat(f.readIfChanged()).isNull();

        RevocationFile.add(file, "jti-2", NOW_SECONDS + 60, NOW);
        assertThat(f.readIfChanged()).containsExactly(new Entry("jti-1", NOW_SECONDS + 60), new Entry("jti-2", NOW_SECONDS + 60));

        // an in-place edit that keeps the size is still seen through the modification time
        final String text = Files.readString(file).replace("jti-2", "jti-3");
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5_000));
        assertThat(f.readIfChanged()).extracting(Entry::tokenId).containsExactly("jti-1", "jti-3");

        Files.delete(file);
        assertThat(f.readIfChanged()).isEmpty();
    }

    @Test
    void invalidContentNamesTheLineAndIsReadAgainAtTheNextPoll() throws Exception {
        final Path file = dir.resolve("revoked");
        final RevocationFile f = new RevocationFile(file);
        for (final String bad : List.of("a", "a 1 2", "a soon", "a -1", "a 99999999999999999999", "a 9223372036854776")) {
            Files.writeString(file, "# ok\nok 1\n" + bad + "\n");
            assertThatThrownBy(f::readIfChanged).as(bad)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 3");
        }
        Files.writeString(file, "# ok\nok 1\n");
        assertThat(f.readIfChanged()).containsExactly(new Entry("ok", 1));
    }

    @Test
    void addDropsLongExpiredEntriesKeepsCommentsAndRefusesBadIds() throws Exception {
        final Path file = dir.resolve("revoked");
        final long hour = JwtAuthenticator.MAX_LEEWAY.toSeconds();
        Files.writeString(file, "# mine\nold " + (NOW_SECONDS - hour - 1) + "\nrecent " + (NOW_SECONDS - hour) + "\n");
        RevocationFile.add(file, "new", NOW_SECONDS + 10, NOW);
        assertThat(Files.readAllLines(file)).containsExactly("# mine", "recent " + (NOW_SECONDS - hour), "new " + (NOW_SECONDS + 10));
        for (final String bad : new String[] {"", "a b", "a\tb", "#a", "a\u0000", "x".repeat(1025)}) {
            assertThatThrownBy(() -> RevocationFile.add(file, bad, NOW_SECONDS, NOW)).as(bad)
                .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> RevocationFile.add(file, "ok", -1, NOW)).isInstanceOf(IllegalArgumentException.class);
        Files.writeString(file, "garbage here now\n");
        assertThatThrownBy(() -> RevocationFile.add(file, "ok", NOW_SECONDS, NOW))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 1");
        assertThat(Files.readString(file)).isEqualTo("garbage here now\n"); // not rewritten
    }

    @Test
    void newFileStartsWithAnExplainingComment() throws Exception {
        final Path file = dir.resolve("revoked");
        RevocationFile.add(file, "a", NOW_SECONDS, NOW);
        assertThat(Files.readAllLines(file)).hasSize(2).first().asString().startsWith("#");
        assertThat(new RevocationFile(file).readIfChanged()).containsExactly(new Entry("a", NOW_SECONDS));
    }
}
