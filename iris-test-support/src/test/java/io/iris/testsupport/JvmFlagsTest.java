package io.iris.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JvmFlagsTest {
    @Test
    void theFlagsAreThePomsAndTheModuleFlagsLeaveOutProperties() {
        assertThat(JvmFlags.line()).isEqualTo(System.getProperty("iris.jvm.flags").trim());
        // the export the benchmarks' copy once lacked
        assertThat(JvmFlags.all()).contains("java.base/jdk.internal.ref=ALL-UNNAMED");
        assertThat(JvmFlags.moduleFlags()).isNotEmpty().noneMatch(f -> f.startsWith("-D"));
        assertThat(JvmFlags.moduleFlags().size() % 2).as("each option with its value").isZero();
        assertThat(ChildJvm.javaCommand()).startsWith(ChildJvm.javaBinary()).containsAll(JvmFlags.all());
    }
}
