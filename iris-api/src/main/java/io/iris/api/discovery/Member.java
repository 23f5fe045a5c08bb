package io.iris.api.discovery;

import java.util.Comparator;

/**
 * One node of the cluster: who it is and where its node links connect.
 *
 * <p>Validated on construction: a non-blank id without whitespace, a non-blank host, a port in
 * [1, 65535]. The text form {@code id@host:port} ({@code id@[v6-address]:port} for IPv6 literals) is
 * what configuration uses ({@code discovery.self}, {@code discovery.static.members}) and what
 * {@link #toString()} prints; {@link #parse(String)} reads it back.
 *
 * @param id   a stable identifier, unique in the cluster (used for consistent hashing).
 * @param host the host name or address other nodes connect to.
 * @param port the node-to-node port.
 */
public record Member(String id, String host, int port) {
    /** The order of every member list: by id. */
    public static final Comparator<Member> BY_ID = Comparator.comparing(Member::id);

    /**
     * @param id   the id.
     * @param host the host.
     * @param port the port.
     * @throws IllegalArgumentException naming the bad part.
     */
    public Member {
        if (id == null || id.isBlank() || id.chars().anyMatch(Character::isWhitespace) || id.indexOf('@') >= 0) {
            throw new IllegalArgumentException("member id '" + id + "' must be non-empty, without whitespace or '@'");
        }
        if (host == null || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("member host '" + host + "' of '" + id + "' must be non-empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("member port " + port + " of '" + id + "' is outside [1, 65535]");
        }
    }

    /**
     * Reads {@code id@host:port}; an IPv6 literal host is written in brackets ({@code n1@[::1]:7800}).
     *
     * @param text the text form.
     * @return the member.
     * @throws IllegalArgumentException if the text is malformed (the message quotes it).
     */
    public static Member parse(final String text) {
        final String t = text == null ? "" : text.trim();
        final int at = t.indexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("'" + t + "' is not id@host:port");
        }
        final HostPort hostPort = HostPort.parse(t.substring(at + 1), t);
        return new Member(t.substring(0, at), hostPort.host, hostPort.port);
    }

    /** @return {@code id@host:port}, brackets around an IPv6 literal; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return id + "@" + HostPort.format(host, port);
    }

    /** Parsing and printing of {@code host:port}, kept apart from the record's components. */
    private static final class HostPort {
        private final String host;
        private final int port;

        private HostPort(final String host, final int port) {
            this.host = host;
            this.port = port;
        }

        static HostPort parse(final String text, final String whole) {
            final String host;
            final String port;
            if (text.startsWith("[")) {
                final int close = text.indexOf("]:");
                if (close < 0) {
                    throw new IllegalArgumentException("'" + whole + "' is not id@[v6-address]:port");
                }
                host = text.substring(1, close);
                port = text.substring(close + 2);
            } else {
                final int colon = text.lastIndexOf(':');
                if (colon <= 0 || text.indexOf(':') != colon) {
                    throw new IllegalArgumentException("'" + whole + "' is not id@host:port"
                        + " (write an IPv6 address in brackets)");
                }
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            }
            try {
                return new HostPort(host, Integer.parseInt(port));
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("'" + whole + "' has no numeric port", e);
            }
        }

        static String format(final String host, final int port) {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }
}
