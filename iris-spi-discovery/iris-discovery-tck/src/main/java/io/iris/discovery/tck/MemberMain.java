package io.iris.discovery.tck;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.DiscoveryConfig;
import io.iris.api.discovery.DiscoveryProvider;
import io.iris.api.spi.Providers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cluster member in its own JVM, for {@link MemberProcess}: opens the discovery provider named by
 * the {@code discovery} argument with the given {@code key=value} arguments (so it registers
 * {@code discovery.self}), prints {@link #READY}, and runs until its standard input closes (then closes
 * the discovery) or it is killed.
 */
public final class MemberMain {
    /** Printed once the provider is open. */
    public static final String READY = "iris-member-ready";

    private MemberMain() {
    }

    /**
     * @param args {@code key=value} configuration entries, including {@code discovery=<name>}.
     * @throws Exception if the provider cannot open.
     */
    public static void main(final String[] args) throws Exception {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String arg : args) {
            final int eq = arg.indexOf('=');
            values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        final IrisConfig config = IrisConfig.of(values);
        try (Discovery discovery = Providers.load(DiscoveryProvider.class, config.requireString(DiscoveryConfig.KEY))
            .create(config)) {
            System.out.println(READY + " " + discovery.members());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for end of input
            }
        }
    }
}
