package io.iris.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * {@code throughput}: closed loop. {@code --pairs} pairs of users message each other, each connection
 * keeping {@code --inflight} SENDs outstanding (a new SEND for every SEND_ACK). What counts is what
 * the recipients receive: DELIVERs per second over the measured window, after {@code --warmupSeconds}.
 * Durability is the server's: {@code --storage=...} and the provider's keys are passed to it.
 */
final class ThroughputScenario {
    private ThroughputScenario() {
    }

    static Report run(final Options o) throws Exception {
        final int pairs = o.integer("pairs", 32);
        final int inflight = o.integer("inflight", 64);
        final int threads = o.integer("threads", 1);
        final int payload = o.integer("payload", 100);
        final long warmup = o.longValue("warmupSeconds", 3);
        final long seconds = o.longValue("seconds", 10);
        final String mode = o.string("mode", "durable");
        final Report r = Report.start("throughput");
        r.put("mode", mode);
        try (PairedRun run = PairedRun.start(r, o, pairs, threads, warmup + seconds + 120,
            (i, address) -> new Loop("throughput-" + i, address, payload, inflight))) {
            run.setSending(true, null);
            for (final PairLoop l : run.loops) {
                l.post(((Loop) l)::fill);
            }
            Thread.sleep(warmup * 1000);
            final PairedRun.Snapshot a = run.snapshot();
            Thread.sleep(seconds * 1000);
            final PairedRun.Snapshot b = run.snapshot();
            run.setSending(false, null);
            final PairedRun.Snapshot end = run.drain();
            final Report res = r.child("result");
            res.put("connections", (long) run.connections).put("inflightPerConnection", (long) inflight)
                .put("payloadBytes", (long) payload);
            run.describe(res, a, b, end);
        }
        r.put("loadAverageAtEnd", Report.loadAverage());
        return r;
    }

    /** Keeps {@code inflight} SENDs outstanding on each connection. */
    static final class Loop extends PairLoop {
        private final int inflight;
        /** Connections whose outbound buffer was full when they owed a SEND. */
        private final java.util.ArrayDeque<WireConnection> owing = new java.util.ArrayDeque<>();

        Loop(final String name, final InetSocketAddress server, final int payload, final int inflight) throws IOException {
            super(name, server, payload);
            this.inflight = inflight;
        }

        void fill() {
            for (final WireConnection c : connections) {
                top(c);
            }
        }

        private void top(final WireConnection c) {
            while (sending && !c.closed && c.inFlight < inflight) {
                if (!send(c)) {
                    owing.add(c);
                    return;
                }
            }
        }

        @Override
        void onAck(final WireConnection c, final long msgId, final int status) {
            top(c);
        }

        @Override
        void tick() {
            super.tick();
            for (int n = owing.size(); n > 0; n--) {
                top(owing.poll());
            }
        }

        @Override
        long waitNanos() {
            return owing.isEmpty() ? 1_000_000 : 0;
        }
    }
}
