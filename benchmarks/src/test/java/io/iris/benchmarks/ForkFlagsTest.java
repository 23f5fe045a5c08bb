package io.iris.benchmarks;

import io.iris.testsupport.JvmFlags;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Fork;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JMH forks its benchmark JVMs with the flags of {@link Fork#jvmArgsAppend()}, which must be literals in the
 * annotation: every {@code @Fork} of this module lists the parent pom's JVM flags ({@link JvmFlags#all()}), in
 * order, so the copies cannot drift from the one source again (they once lacked the {@code jdk.internal.ref}
 * export).
 */
class ForkFlagsTest {
    @Test
    void everyForkPassesTheFlagsOfThePom() throws Exception {
        final List<Class<?>> forked = new ArrayList<>();
        final Path classes = Path.of(CodecBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final Path pkg = classes.resolve(CodecBenchmark.class.getPackageName().replace('.', '/'));
        try (Stream<Path> files = Files.list(pkg)) {
            for (final Path f : (Iterable<Path>) files::iterator) {
                final String name = f.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$") && !name.contains("_jmh")) {
                    final Class<?> c = Class.forName(CodecBenchmark.class.getPackageName() + "."
                        + name.substring(0, name.length() - ".class".length()));
                    if (c.isAnnotationPresent(Fork.class)) {
                        forked.add(c);
                    }
                }
            }
        }
        assertThat(forked).as("benchmarks with @Fork").contains(CodecBenchmark.class);
        for (final Class<?> c : forked) {
            final List<String> args = List.of(c.getAnnotation(Fork.class).jvmArgsAppend());
            assertThat(Collections.indexOfSubList(args, JvmFlags.all()))
                .as(c.getSimpleName() + " @Fork(jvmArgsAppend) " + args + " carries " + JvmFlags.all())
                .isNotNegative();
        }
    }
}
