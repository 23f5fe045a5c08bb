package io.iris.transport.limit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * The unit a per-address limit counts: 128 bits ({@link #hi}, {@link #lo}) derived from a source address.
 *
 * <ul>
 *   <li>An IPv4 address {@code a.b.c.d} is the whole address, in its IPv4-mapped IPv6 form
 *   {@code ::ffff:a.b.c.d} (so a dual-stack socket reporting either form gives the same key).</li>
 *   <li>An IPv6 address is grouped by its <b>/64 prefix</b>: a single subscriber is usually given at least a
 *   /64, so a per-/128 limit could be bypassed by cycling through 2<sup>64</sup> addresses of one host.</li>
 * </ul>
 *
 * @param hi the high 64 bits (the /64 prefix of an IPv6 address; 0 for IPv4).
 * @param lo the low 64 bits ({@code 0xffff_xxxxxxxx} for IPv4; 0 for IPv6).
 */
public record AddressKey(long hi, long lo) {
    private static final long IPV4_MAPPED = 0xFFFFL << 32;
    /** Whether {@link Inet4Address#hashCode()} is the address itself on this JDK (it is on OpenJDK). */
    private static final boolean IPV4_HASH_IS_ADDRESS = ipv4HashIsAddress();

    /**
     * @param address an IPv4 or IPv6 address.
     * @return its key.
     */
    public static AddressKey of(final InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet4Address) {
            return new AddressKey(0, ipv4Lo((Inet4Address) address));
        }
        return new AddressKey(ipv6Prefix((Inet6Address) address), 0);
    }

    /**
     * The {@link #lo} of an IPv4 address, without allocating on OpenJDK.
     *
     * @param address an IPv4 address.
     * @return {@code 0xffff_00000000 | address}.
     */
    static long ipv4Lo(final Inet4Address address) {
        final int v4;
        if (IPV4_HASH_IS_ADDRESS) {
            v4 = address.hashCode();
        } else {
            final byte[] b = address.getAddress();
            v4 = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        }
        return IPV4_MAPPED | (v4 & 0xFFFF_FFFFL);
    }

    private static long ipv6Prefix(final Inet6Address address) {
        final byte[] b = address.getAddress();
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = prefix << 8 | (b[i] & 0xFF);
        }
        return prefix;
    }

    private static boolean ipv4HashIsAddress() {
        final byte[][] samples = {{127, 0, 0, 1}, {(byte) 203, 0, 113, (byte) 255}, {10, (byte) 200, 7, 42}};
        try {
            for (final byte[] s : samples) {
                final int expected = (s[0] & 0xFF) << 24 | (s[1] & 0xFF) << 16 | (s[2] & 0xFF) << 8 | (s[3] & 0xFF);
                if (InetAddress.getByAddress(s).hashCode() != expected) {
                    return false;
                }
            }
            return true;
        } catch (final java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        if (hi == 0 && (lo >>> 32) == 0xFFFFL) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 3; i >= 0; i--) {
            sb.append(Long.toHexString((hi >>> (16 * i)) & 0xFFFF)).append(i == 0 ? "::/64" : ":");
        }
        return sb.toString();
    }
}
