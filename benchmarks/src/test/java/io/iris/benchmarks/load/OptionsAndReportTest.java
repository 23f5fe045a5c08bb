package io.iris.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsAndReportTest {
    @Test
    void dottedKeysGoToTheServerAndTyposFail() {
        final Options o = new Options(List.of("--pairs=8", "--engine.shards=1", "--storage=chronicle", "--rate=1_000"));
        assertThat(o.integer("pairs", 32)).isEqualTo(8);
        assertThat(o.longValue("rate", 5)).isEqualTo(1000);
        assertThat(o.integer("threads", 1)).isEqualTo(1);
        assertThat(o.serverKeys()).containsEntry("engine.shards", "1").containsEntry("storage", "chronicle");
        o.checkAllUsed();

        final Options typo = new Options(List.of("--piars=8"));
        typo.integer("pairs", 32);
        assertThatThrownBy(typo::checkAllUsed).hasMessageContaining("--piars");
        assertThatThrownBy(() -> new Options(List.of("pairs=8"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tlsIsABooleanAndNeedsTheIrisServer() {
        final Options o = new Options(List.of("--tls=true"));
        assertThat(o.bool("tls", false)).isTrue();
        assertThat(new Options(List.of()).bool("tls", false)).isFalse();
        assertThatThrownBy(() -> new Options(List.of("--tls=yes")).bool("tls", false))
            .hasMessageContaining("--tls must be true or false, was 'yes'");
        // refused before any process starts
        assertThatThrownBy(() -> ConnectionsScenario.run(new Options(List.of("--tls=true", "--server=relay"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls=true needs --server=iris");
    }

    @Test
    void reportFlattensForScriptsAndEscapesJson() {
        final Report r = new Report().put("scenario", "t\"x");
        r.child("result").put("deliveredPerSecond", 1234.25).put("ok", true).child("p").put("p99", 7L);
        assertThat(r.toProperties()).contains("scenario=t\"x\n", "result.deliveredPerSecond=1234.2500\n",
            "result.ok=true\n", "result.p.p99=7\n");
        assertThat(r.toJson()).contains("\"scenario\": \"t\\\"x\"", "\"p99\": 7");
        assertThat(r.toText()).contains("deliveredPerSecond: 1,234");
    }
}
