package io.iris.admin;

import java.util.Map;

/**
 * Handles one admin API call under {@code /admin/}. The {@link AdminServer} has already authenticated the
 * caller (when a token is configured) and logged the request; the handler decides what the call does.
 */
@FunctionalInterface
public interface AdminHandler {
    /**
     * @param method the HTTP method, e.g. {@code GET} or {@code POST}.
     * @param path   the request path, starting with {@code /admin/}.
     * @param query  the decoded query parameters (the last value of a repeated name wins); never null.
     * @param caller a short description of who called, for logs (remote address and whether authenticated).
     * @return the reply; never null.
     * @throws Exception on failure; the server answers 500 with the exception's message as JSON.
     */
    AdminReply handle(String method, String path, Map<String, String> query, String caller) throws Exception;
}
