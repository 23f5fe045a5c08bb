package io.iris.examples.client;

import io.iris.api.IrisConfig;
import io.iris.engine.IrisEngine;
import io.iris.engine.auth.JwtMinter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged client-only application runs with plain {@code java -jar} and no JVM flags against a real
 * server (started in this JVM), and its jar holds iris-client and iris-protocol only: no Agrona, no
 * BouncyCastle, no SLF4J, no class path beyond itself.
 */
class HelloClientIT {
    private static final String SECRET = "example-client-test-secret-0123456789";
    private IrisEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private static Path jar() {
        final Path jar = Path.of(System.getProperty("iris.example.jar", "target/iris-example-client.jar"));
        assertThat(jar).as("packaged before the integration tests").isRegularFile();
        return jar;
    }

    @Test
    void theJarHoldsTheClientAndTheProtocolOnly() throws IOException {
        final List<String> foreign = new ArrayList<>();
        boolean client = false;
        boolean protocol = false;
        try (JarFile jar = new JarFile(jar().toFile())) {
            for (final String name : Collections.list(jar.entries()).stream().map(e -> e.getName()).toList()) {
                client |= name.startsWith("io/iris/client/");
                protocol |= name.startsWith("io/iris/protocol/");
                if (name.endsWith(".class") && !name.startsWith("io/iris/client/")
                    && !name.startsWith("io/iris/protocol/") && !name.startsWith("io/iris/examples/client/")) {
                    foreign.add(name);
                }
            }
            final Manifest manifest = jar.getManifest();
            assertThat(manifest.getMainAttributes().getValue("Main-Class")).isEqualTo(HelloClient.class.getName());
            assertThat(manifest.getMainAttributes().getValue("Class-Path")).as("nothing beside the jar").isNull();
            assertThat(manifest.getMainAttributes().getValue("Add-Exports")).as("no JVM flags").isNull();
            assertThat(manifest.getMainAttributes().getValue("Add-Opens")).as("no JVM flags").isNull();
        }
        assertThat(client).isTrue();
        assertThat(protocol).isTrue();
        assertThat(foreign).as("classes from other libraries (Agrona, BouncyCastle, SLF4J...)").isEmpty();
    }

    @Test
    @Timeout(120)
    void runsWithPlainJavaDashJarAndNoFlags() throws Exception {
        engine = IrisEngine.builder().config(IrisConfig.of(Map.of("server.host", "127.0.0.1", "server.port", "0",
            "auth.jwt.secret", SECRET))).start();
        final String token = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null)
            .mint("alice", Duration.ofHours(1));
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Path output = Files.createTempFile("hello-client", ".out");
        try {
            final ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar().toString(), "127.0.0.1",
                String.valueOf(engine.port()), token, "phone", "alice", "hello from java -jar");
            pb.environment().remove("JAVA_TOOL_OPTIONS"); // no flags sneaking in from the environment
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.redirectErrorStream(true).redirectOutput(output.toFile());
            final Process process = pb.start();
            final boolean exited = process.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            final String out = Files.readString(output);
            assertThat(exited).as("exited: %s", out).isTrue();
            assertThat(process.exitValue()).as(out).isZero();
            assertThat(out).contains("ack STORED seq=1")
                .contains("delivered seq=1 from=alice: hello from java -jar")
                .doesNotContain("Exception", "WARNING: ");
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
