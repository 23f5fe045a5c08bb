package io.iris.storage.redis;

import io.iris.api.IrisConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisStoreConfigTest {
    @Test
    void defaults() {
        final RedisStoreConfig c = RedisStoreConfig.from(IrisConfig.empty());
        assertThat(c.cluster()).isFalse();
        assertThat(c.redisUris()).hasSize(1);
        assertThat(c.redisUris().get(0).getHost()).isEqualTo("127.0.0.1");
        assertThat(c.redisUris().get(0).getPort()).isEqualTo(6379);
        assertThat(c.keyPrefix()).isEqualTo("iris");
        assertThat(c.timeoutMillis()).isEqualTo(2000);
        assertThat(c.waitReplicas()).isZero();
        assertThat(c.dedupWindow()).isEqualTo(262_144);
        assertThat(c.retentionSeconds()).isEqualTo(2_592_000L);
    }

    @Test
    void clusterUrisListTheSeedNodesAndKeepCredentials() {
        final RedisStoreConfig c = RedisStoreConfig.from(IrisConfig.of(Map.of(RedisStoreConfig.URI,
            "redis-cluster://:s3cret@10.0.0.1:7000,10.0.0.2:7001")));
        assertThat(c.cluster()).isTrue();
        assertThat(c.redisUris()).extracting(u -> u.getHost() + ":" + u.getPort())
            .containsExactly("10.0.0.1:7000", "10.0.0.2:7001");
        assertThat(c.redisUris().get(1).getCredentialsProvider().resolveCredentials().block().getPassword())
            .isEqualTo("s3cret".toCharArray());
        assertThat(c.uri()).doesNotContain("s3cret");
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void standaloneUrisMayNameADatabaseAndTls() {
        final RedisStoreConfig c = RedisStoreConfig.from(IrisConfig.of(Map.of(RedisStoreConfig.URI, "rediss://h:6380/3")));
        assertThat(c.redisUris().get(0).getDatabase()).isEqualTo(3);
        assertThat(c.redisUris().get(0).isSsl()).isTrue();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> RedisStoreConfig.from(IrisConfig.of(Map.of(RedisStoreConfig.URI, "http://x"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(RedisStoreConfig.URI);
        assertThatThrownBy(() -> RedisStoreConfig.from(IrisConfig.of(Map.of(RedisStoreConfig.URI, "redis-cluster://a:1/2"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(RedisStoreConfig.URI);
        assertThatThrownBy(() -> RedisStoreConfig.from(IrisConfig.of(Map.of(RedisStoreConfig.KEY_PREFIX, "a{b"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(RedisStoreConfig.KEY_PREFIX);
        assertThatThrownBy(() -> RedisStoreConfig.from(IrisConfig.of(Map.of(RedisStoreConfig.WAIT_REPLICAS, "-1"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(RedisStoreConfig.WAIT_REPLICAS);
        assertThatThrownBy(() -> RedisStoreConfig.from(IrisConfig.of(Map.of("storage.retentionSeconds", "-5"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage.retentionSeconds");
    }
}
