package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.engine.KnownKeys;
import io.iris.engine.config.ConfigKey;
import io.iris.engine.config.ConfigKeys;
import io.iris.testsupport.JvmFlags;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the user-facing documents and the launchers say matches the one source of each fact:
 * <ul>
 *   <li>JVM flags: the README, docs/operations.md and the manifest properties list exactly the root pom's
 *       {@code iris.jvm.flags} (as {@link JvmFlags} reads it), and no launcher in the repository spells the flags
 *       out itself (the JMH {@code @Fork} annotations, which must, are checked by the benchmarks' ForkFlagsTest):
 *       the distribution's {@code bin/iris-server} gets them filtered in from the pom at build time;</li>
 *   <li>the systemd unit: its stop timeout covers the default {@code shutdown.drainTimeoutMillis}, its open-file
 *       limit the default {@code server.maxConnections};</li>
 *   <li>configuration keys: every key of {@code iris.properties} is accepted by the engine, every key of the
 *       registry {@link ConfigKeys} is documented there with the registry's default (or the reference server's
 *       deliberate override), and the key table of docs/operations.md is the registry's.</li>
 * </ul>
 */
class DocumentedKeysAndFlagsTest {
    private static final Path ROOT = Path.of("..");
    /** Where the key table of docs/operations.md starts; it ends at the next heading. */
    private static final String KEYS_HEADING = "## Configuration keys";
    /**
     * The reference server's deliberate departures from the engine's defaults (iris.properties is the server's
     * default configuration): durable storage, and a revocation file in its data directory.
     */
    private static final Map<String, String> SERVER_OVERRIDES = Map.of(
        "storage", "chronicle",
        "auth.jwt.revokedFile", "data/revoked-tokens");
    /** A launcher spelling out a JVM flag (an add-exports or add-opens option of a java.base package), in any quoting. */
    private static final Pattern SPELLED_FLAG = Pattern.compile("--add-(?:exports|opens)[\\s\",=]+java\\.base/");

    @Test
    void readmeAndOperationsListTheFlagsOfThePom() throws IOException {
        final String flags = JvmFlags.line();
        assertThat(flags).as("the pom's iris.jvm.flags").contains("--add-exports");
        assertThat(flags).as("surefire passes the same iris.jvm.flags")
            .isEqualTo(System.getProperty("iris.jvm.flags", flags).trim());
        final String readme = Files.readString(ROOT.resolve("README.md"));
        final String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        assertThat(readme).as("README.md lists the flags on one line, as in the pom").contains(flags);
        for (final String flag : flagsOf(flags)) {
            assertThat(operations).as("docs/operations.md lists " + flag).contains(flag);
        }
        final String documented = section(operations, "## JVM flags");
        assertThat(flagsOf(documented)).as("docs/operations.md lists no other flag")
            .containsExactlyInAnyOrderElementsOf(flagsOf(flags));
    }

    @Test
    void theManifestPropertiesCarryTheModuleFlagsOfThePom() {
        final List<String> exports = new ArrayList<>();
        final List<String> opens = new ArrayList<>();
        final List<String> module = JvmFlags.moduleFlags();
        for (int i = 0; i < module.size(); i += 2) {
            final String target = module.get(i + 1).replace("=ALL-UNNAMED", "");
            (module.get(i).equals("--add-exports") ? exports : opens).add(target);
        }
        assertThat(JvmFlags.manifestAddExports()).as("iris.manifest.add-exports").containsExactlyElementsOf(exports);
        assertThat(JvmFlags.manifestAddOpens()).as("iris.manifest.add-opens").containsExactlyElementsOf(opens);
    }

    @Test
    void noLauncherSpellsTheFlagsOut() throws IOException {
        final List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(Files::isRegularFile).filter(DocumentedKeysAndFlagsTest::isSource).forEach(f -> {
                try {
                    if (SPELLED_FLAG.matcher(Files.readString(f)).find()) {
                        offenders.add(ROOT.relativize(f).toString());
                    }
                } catch (final IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        assertThat(offenders).as("files that spell the JVM flags out instead of reading iris.jvm.flags"
            + " (JvmFlags / ChildJvm in iris-test-support)").isEmpty();
    }

    @Test
    void theLauncherTemplateTakesTheFlagsFromThePom() throws IOException {
        final String script = Files.readString(ROOT.resolve("dist/bin/iris-server"));
        assertThat(script).startsWith("#!/bin/sh\n");
        assertThat(script.split(Pattern.quote("'@iris.jvm.flags@'"), -1)).as("one filtered flags token").hasSize(2);
        assertThat(script).containsPattern("(?m)^exec \"\\$java\" \\$jvm_flags .*-Diris\\.home=\"\\$home\" -jar"
            + " \"\\$home/lib/iris-server\\.jar\" \"\\$@\"$");
        assertThat(SPELLED_FLAG.matcher(script).find()).as("the template spells no flag out").isFalse();
    }

    @Test
    void theSystemdUnitStopsWithinTheDrainBudgetAndAllowsTheConnections() throws IOException {
        final String unit = Files.readString(ROOT.resolve("dist/systemd/iris-server.service"));
        final Properties defaults = serverDefaults();
        final long drainMillis = number("shutdown.drainTimeoutMillis", defaults.getProperty("shutdown.drainTimeoutMillis"));
        final long maxConnections = number("server.maxConnections", defaults.getProperty("server.maxConnections"));
        assertThat(unitValue(unit, "TimeoutStopSec")).as("TimeoutStopSec: the drain budget plus 5 s for the JVM to exit")
            .isEqualTo(String.valueOf((drainMillis + 999) / 1000 + 5));
        assertThat(Long.parseLong(unitValue(unit, "LimitNOFILE"))).as("LimitNOFILE: server.maxConnections + 64 at least")
            .isGreaterThanOrEqualTo(maxConnections + 64);
        assertThat(unitValue(unit, "KillSignal")).isEqualTo("SIGTERM");
        assertThat(unitValue(unit, "Restart")).isEqualTo("on-failure");
        assertThat(unitValue(unit, "User")).isNotEqualTo("root");
        assertThat(unitValue(unit, "ExecStart")).endsWith("/bin/iris-server serve");
    }

    private static String unitValue(final String unit, final String key) {
        final Matcher m = Pattern.compile("(?m)^" + key + "=(.*)$").matcher(unit);
        assertThat(m.find()).as(key + " in the unit").isTrue();
        return m.group(1).trim();
    }

    @Test
    void everyServerKeyIsKnownToTheEngineAndEveryEngineKeyIsDocumented() throws IOException {
        final Properties defaults = serverDefaults();
        for (final String key : defaults.stringPropertyNames()) {
            assertThat(KnownKeys.isKnown(key, ServerConfig.SERVER_KEYS)).as(key + " accepted by the engine").isTrue();
        }
        final String text = serverDefaultsText();
        for (final String key : KnownKeys.engineKeys()) {
            assertThat(Pattern.compile("(?m)^#?" + Pattern.quote(key) + "=").matcher(text).find())
                .as(key + " documented in iris.properties").isTrue();
        }
    }

    @Test
    void irisPropertiesStatesTheRegistrysDefaults() throws IOException {
        final Properties server = serverDefaults();
        for (final ConfigKey key : ConfigKeys.all()) {
            final String value = server.getProperty(key.name());
            if (value == null) {
                assertThat(key.defaultValue()).as(key.name() + " is commented out in iris.properties, so it has"
                    + " no default").isEmpty();
                continue;
            }
            final String expected = SERVER_OVERRIDES.getOrDefault(key.name(), key.defaultValue());
            if (key.type() == ConfigKey.Type.TEXT) {
                assertThat(value).as("iris.properties: " + key.name()).isEqualTo(expected);
            } else {
                assertThat(number(key.name(), value)).as("iris.properties: " + key.name() + "=" + value)
                    .isEqualTo(number(key.name(), expected));
            }
        }
    }

    @Test
    void operationsKeyTableIsTheRegistrys() throws IOException {
        final String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        final String expected = keyTable();
        final Path out = Path.of("target", "operations-config-keys.md");
        Files.writeString(out, expected); // to paste into the document when a key changes
        final String documented = section(operations, KEYS_HEADING);
        if (!documented.contains(expected)) {
            throw new AssertionError("docs/operations.md, \"" + KEYS_HEADING + "\": the table is not the registry's"
                + " (io.iris.engine.config.ConfigKeys); the expected table is in examples/" + out);
        }
        for (final Map.Entry<String, String> o : SERVER_OVERRIDES.entrySet()) {
            assertThat(documented).as("the section names the reference server's override of " + o.getKey())
                .contains("`" + o.getKey() + "=" + o.getValue() + "`");
        }
        // the limits table names keys of the registry only
        final Matcher m = Pattern.compile("`([a-z]+(?:\\.[a-zA-Z]+)+)`").matcher(section(operations, "## Limits"));
        while (m.find()) {
            if (!m.group(1).endsWith(".md")) {
                assertThat(ConfigKeys.named(m.group(1))).as("the limits table's key " + m.group(1)).isNotNull();
            }
        }
    }

    /** @return the Markdown table of every registry key, as docs/operations.md must contain it. */
    private static String keyTable() {
        final StringBuilder sb = new StringBuilder("| key | default | range | meaning |\n|---|---|---|---|\n");
        for (final ConfigKey key : ConfigKeys.all()) {
            sb.append("| `").append(key.name()).append("` | ")
                .append(key.defaultValue().isEmpty() ? "(none)" : "`" + key.defaultValue() + "`").append(" | ")
                .append(key.type() == ConfigKey.Type.INT ? key.min() + " – " + key.max() : "").append(" | ")
                .append(key.doc()).append(" |\n");
        }
        return sb.toString();
    }

    private static long number(final String key, final String value) {
        return IrisConfig.of(Map.of(key, value)).getLong(key, 0);
    }

    private static boolean isSource(final Path f) {
        final String p = f.toString().replace('\\', '/');
        if (p.contains("/target/") || p.contains("/.git/") || p.contains("/results/")) {
            return false;
        }
        // the JMH @Fork annotations must carry literals: ForkFlagsTest holds them against the pom
        if (p.matches(".*/benchmarks/src/main/java/io/iris/benchmarks/[A-Za-z]+Benchmark\\.java")) {
            return false;
        }
        // the one source, and the two documents checked above
        if (p.endsWith("/pom.xml") || p.endsWith("/README.md") || p.endsWith("/docs/operations.md")) {
            return false;
        }
        // dist/: the launcher template (no extension) and the systemd unit
        return p.contains("/dist/") || p.endsWith(".java") || p.endsWith(".md") || p.endsWith(".sh")
            || p.endsWith(".properties") || p.endsWith("/run") || p.endsWith(".xml") || p.endsWith(".txt");
    }

    private static Properties serverDefaults() throws IOException {
        final Properties defaults = new Properties();
        try (InputStream in = ServerConfig.class.getResourceAsStream("/iris.properties")) {
            defaults.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return defaults;
    }

    private static String serverDefaultsText() throws IOException {
        try (InputStream in = ServerConfig.class.getResourceAsStream("/iris.properties")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
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
