package io.iris.examples;

import io.iris.engine.KnownKeys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the user-facing documents say matches the code: the JVM flags in the README and docs/operations.md are
 * exactly the root pom's {@code iris.jvm.flags}; every key of {@code iris.properties} is accepted by the engine
 * and every key the engine reads is documented there.
 */
class DocumentedKeysAndFlagsTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void readmeAndOperationsListTheFlagsOfThePom() throws IOException {
        final String flags = System.getProperty("iris.jvm.flags", "");
        assertThat(flags).as("surefire passes iris.jvm.flags").contains("--add-exports");
        final String readme = Files.readString(ROOT.resolve("README.md"));
        final String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        assertThat(readme).as("README.md lists the flags on one line, as in the pom").contains(flags.trim());
        for (final String flag : flagsOf(flags)) {
            assertThat(operations).as("docs/operations.md lists " + flag).contains(flag);
        }
        final String documented = section(operations, "## JVM flags");
        assertThat(flagsOf(documented)).as("docs/operations.md lists no other flag")
            .containsExactlyInAnyOrderElementsOf(flagsOf(flags));
    }

    @Test
    void everyServerKeyIsKnownToTheEngineAndEveryEngineKeyIsDocumented() throws IOException {
        final Properties defaults = new Properties();
        try (InputStream in = ServerConfig.class.getResourceAsStream("/iris.properties")) {
            defaults.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        }
        for (final String key : defaults.stringPropertyNames()) {
            assertThat(KnownKeys.isKnown(key, ServerConfig.SERVER_KEYS)).as(key + " accepted by the engine").isTrue();
        }
        final String text = new String(ServerConfig.class.getResourceAsStream("/iris.properties").readAllBytes(),
            StandardCharsets.UTF_8);
        for (final String key : KnownKeys.engineKeys()) {
            assertThat(Pattern.compile("(?m)^#?" + Pattern.quote(key) + "=").matcher(text).find())
                .as(key + " documented in iris.properties").isTrue();
        }
    }

    /** @return each flag: "--add-exports X", "--add-opens X" or "-Dk=v". */
    private static List<String> flagsOf(final String text) {
        final List<String> flags = new ArrayList<>();
        final Matcher m = Pattern.compile("(--add-(?:exports|opens) \\S+|-Dchronicle\\.\\S+)").matcher(text);
        while (m.find()) {
            flags.add(m.group(1));
        }
        return flags;
    }

    private static String section(final String markdown, final String heading) {
        final int start = markdown.indexOf(heading);
        assertThat(start).as(heading).isNotNegative();
        final int end = markdown.indexOf("\n## ", start + heading.length());
        return end < 0 ? markdown.substring(start) : markdown.substring(start, end);
    }
}
