package io.iris.micrometer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Micrometer stays optional: no module but this one declares it (the parent pom only manages its version), so an
 * application that does not add iris-micrometer never gets Micrometer on its class path through Iris.
 */
class MicrometerIsolationTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void noOtherModuleDependsOnMicrometer() throws IOException {
        final List<String> offenders;
        try (Stream<Path> files = Files.walk(ROOT)) {
            offenders = files.filter(f -> f.getFileName().toString().equals("pom.xml"))
                .filter(f -> !f.toString().replace('\\', '/').contains("/target/"))
                .filter(f -> !f.normalize().equals(ROOT.resolve("pom.xml").normalize()))
                .filter(f -> !f.normalize().equals(ROOT.resolve("iris-micrometer/pom.xml").normalize()))
                .filter(f -> read(f).contains("io.micrometer"))
                .map(f -> ROOT.relativize(f).toString())
                .toList();
        }
        assertThat(read(ROOT.resolve("iris-micrometer/pom.xml"))).contains("<artifactId>micrometer-core</artifactId>");
        assertThat(offenders).as("poms that depend on Micrometer besides iris-micrometer's").isEmpty();
    }

    private static String read(final Path f) {
        try {
            return Files.readString(f);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
