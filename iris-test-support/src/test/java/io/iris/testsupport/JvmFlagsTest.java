package io.iris.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JvmFlagsTest {
    @Test
    void theFlagsAreThePomsAndTheModuleFlagsLeaveOutProperties() {
        assertThat(JvmFlags.line()).isEqualTo(System.getProperty("iris.jvm.flags").trim());
        assertThat(JvmFlags.all()).contains("--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED");
        assertThat(JvmFlags.moduleFlags()).isNotEmpty().noneMatch(f -> f.startsWith("-D"));
        assertThat(JvmFlags.moduleFlags().size() % 2).as("each option with its value").isZero();
        assertThat(ChildJvm.javaCommand()).startsWith(ChildJvm.javaBinary()).containsAll(JvmFlags.all());
    }
}
