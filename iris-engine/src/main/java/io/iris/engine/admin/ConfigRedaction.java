package io.iris.engine.admin;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which configuration values the admin API never shows: decided by the key's name, so that a key added later
 * (a provider's {@code storage.redis.password}, {@code admin.token}) is hidden without anyone remembering to
 * flag it. A key is secret when its last segment contains {@code secret}, {@code password}, {@code passwd},
 * {@code token}, {@code credential} or {@code key} (case-insensitive). That also hides some harmless values
 * (the path {@code tls.keyFile}, {@code auth.jwt.secretKid}): showing too little is the safe mistake.
 */
public final class ConfigRedaction {
    /** What a secret value is shown as when it is set. */
    public static final String REDACTED = "<redacted>";
    private static final Pattern SECRET = Pattern.compile("secret|password|passwd|token|credential|key");

    private ConfigRedaction() {
    }

    /**
     * @param key a configuration key.
     * @return true if its value must not be shown.
     */
    public static boolean isSecret(final String key) {
        final String last = key.substring(key.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return SECRET.matcher(last).find();
    }

    /**
     * @param key   a configuration key.
     * @param value its value.
     * @return the value to show: {@link #REDACTED} for a set secret, else the value (an unset secret stays empty).
     */
    public static String shown(final String key, final String value) {
        return isSecret(key) && !value.isEmpty() ? REDACTED : value;
    }
}
