package io.iris.engine.admin;

import io.iris.engine.config.ConfigKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigRedactionTest {
    @Test
    void secretsAreRecognisedByName() {
        assertThat(ConfigRedaction.isSecret(ConfigKeys.AUTH_JWT_SECRET.name())).isTrue();
        assertThat(ConfigRedaction.isSecret("admin.token")).isTrue();
        assertThat(ConfigRedaction.isSecret("storage.redis.password")).isTrue();
        assertThat(ConfigRedaction.isSecret("tls.keyFile")).isTrue();
        assertThat(ConfigRedaction.isSecret("auth.jwt.publicKeys")).isTrue();
        assertThat(ConfigRedaction.isSecret("x.AwsCredentials")).isTrue();
        assertThat(ConfigRedaction.isSecret("server.port")).isFalse();
        assertThat(ConfigRedaction.isSecret("auth.jwt.revokedFile")).isFalse();
        assertThat(ConfigRedaction.isSecret("storage")).isFalse();
    }

    @Test
    void aSetSecretIsRedactedAnUnsetOneStaysEmpty() {
        assertThat(ConfigRedaction.shown("auth.jwt.secret", "s3cr3t")).isEqualTo(ConfigRedaction.REDACTED);
        assertThat(ConfigRedaction.shown("auth.jwt.secret", "")).isEmpty();
        assertThat(ConfigRedaction.shown("server.port", "7700")).isEqualTo("7700");
    }
}
