package io.iris.admin;

import java.util.Objects;

/**
 * The reply of an {@link AdminHandler}: an HTTP status and a JSON body.
 *
 * @param status the HTTP status code, 100 to 599.
 * @param json   the body, a JSON document; never null.
 */
public record AdminReply(int status, String json) {
    /** Validates the reply. */
    public AdminReply {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 100..599, was " + status);
        }
        Objects.requireNonNull(json, "json");
    }
}
