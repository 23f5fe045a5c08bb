package io.iris.benchmarks.load;

import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * {@code latency}: open loop at a fixed total rate ({@code --rate} messages per second over
 * {@code 2 × --pairs} connections, evenly staggered). Each message has an intended send time on a
 * fixed schedule that does not wait for answers; latencies are measured from that intended time, so a
 * stall of the server (or of the generator) is charged to every message that should have been sent
 * during it: the coordinated-omission correction. Uncorrected figures (from the moment the bytes were
 * actually written) are reported beside them. SEND→SEND_ACK is taken at the sender; SEND→DELIVER at
 * the recipient, from the two timestamps carried in the first 16 bytes of the payload (one process,
 * one {@link System#nanoTime()} clock). HdrHistogram, 3 significant digits.
 */
final class LatencyScenario {
    private static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);

    private LatencyScenario() {
    }

    static Report run(final Options o) throws Exception {
        final int pairs = o.integer("pairs", 32);
        final int threads = o.integer("threads", 1);
        final int payload = Math.max(16, o.integer("payload", 100));
        final long rate = o.longValue("rate", 100_000);
        final long warmup = o.longValue("warmupSeconds", 5);
        final long seconds = o.longValue("seconds", 20);
        final String mode = o.string("mode", "durable");
        final Report r = Report.start("latency");
        r.put("mode", mode);
        final int connections = 2 * pairs;
        final long intervalNanos = Math.max(1, (long) (1e9 * connections / rate));
        try (PairedRun run = PairedRun.start(r, o, pairs, threads, warmup + seconds + 120,
            (i, address) -> new Loop("latency-" + i, address, payload, intervalNanos))) {
            final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            final long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
            final long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            for (final PairLoop l : run.loops) {
                final Loop loop = (Loop) l;
                loop.post(() -> loop.begin(start, connections, measureFrom, measureTo));
            }
            run.setSending(true, null);
            sleepUntil(measureFrom);
            final PairedRun.Snapshot a = run.snapshot();
            sleepUntil(measureTo);
            final PairedRun.Snapshot b = run.snapshot();
            run.setSending(false, null);
            final PairedRun.Snapshot end = run.drain();
            final Histogram ack = new Histogram(HIGHEST, 3);
            final Histogram deliver = new Histogram(HIGHEST, 3);
            final Histogram ackRaw = new Histogram(HIGHEST, 3);
            final Histogram deliverRaw = new Histogram(HIGHEST, 3);
            long late = 0;
            long maxLag = 0;
            for (final PairLoop l : run.loops) {
                final Loop loop = (Loop) l;
                final Loop.Result res = loop.result().get(10, TimeUnit.SECONDS);
                ack.add(res.ack);
                deliver.add(res.deliver);
                ackRaw.add(res.ackRaw);
                deliverRaw.add(res.deliverRaw);
                late += res.unansweredInWindow;
                maxLag = Math.max(maxLag, res.maxSendLagNanos);
            }
            final Report res = r.child("result");
            res.put("connections", (long) connections).put("targetRate", rate).put("payloadBytes", (long) payload);
            run.describe(res, a, b, end);
            percentiles(res.child("sendToDeliverMicros"), deliver);
            percentiles(res.child("sendToAckMicros"), ack);
            percentiles(res.child("sendToDeliverMicrosUncorrected"), deliverRaw);
            percentiles(res.child("sendToAckMicrosUncorrected"), ackRaw);
            res.put("generatorMaxSendLagMicros", maxLag / 1e3);
            res.put("messagesOfWindowNotDeliveredInTime", late);
        }
        r.put("loadAverageAtEnd", Report.loadAverage());
        return r;
    }

    private static void percentiles(final Report r, final Histogram h) {
        r.put("count", h.getTotalCount())
            .put("p50", h.getValueAtPercentile(50) / 1e3)
            .put("p90", h.getValueAtPercentile(90) / 1e3)
            .put("p99", h.getValueAtPercentile(99) / 1e3)
            .put("p99.9", h.getValueAtPercentile(99.9) / 1e3)
            .put("p99.99", h.getValueAtPercentile(99.99) / 1e3)
            .put("max", h.getMaxValue() / 1e3);
    }

    private static void sleepUntil(final long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
    }

    /** Sends on a fixed schedule and records both latencies for messages due inside the window. */
    static final class Loop extends PairLoop {
        private static final int RING = 1 << 14;

        /** What one loop measured. */
        static final class Result {
            final Histogram ack = new Histogram(HIGHEST, 3);
            final Histogram deliver = new Histogram(HIGHEST, 3);
            final Histogram ackRaw = new Histogram(HIGHEST, 3);
            final Histogram deliverRaw = new Histogram(HIGHEST, 3);
            long unansweredInWindow;
            long maxSendLagNanos;
        }

        private final long intervalNanos;
        private final Result result = new Result();
        private long[][] intended;
        private long[][] actual;
        private long measureFrom;
        private long measureTo;
        private long nextDue = Long.MAX_VALUE;
        private boolean begun;

        Loop(final String name, final InetSocketAddress server, final int payload, final long intervalNanos)
            throws IOException {
            super(name, server, payload);
            this.intervalNanos = intervalNanos;
        }

        /** Sets every connection's first due time: evenly staggered over one interval. */
        void begin(final long start, final int totalConnections, final long from, final long to) {
            measureFrom = from;
            measureTo = to;
            intended = new long[connections.size()][RING];
            actual = new long[connections.size()][RING];
            for (int i = 0; i < connections.size(); i++) {
                final WireConnection c = connections.get(i);
                c.nextDueNanos = start + intervalNanos * c.index / totalConnections;
            }
            begun = true;
        }

        @Override
        void tick() {
            super.tick();
            if (!begun || !sending) {
                nextDue = Long.MAX_VALUE;
                return;
            }
            final long now = System.nanoTime();
            long earliest = Long.MAX_VALUE;
            for (int i = 0; i < connections.size(); i++) {
                final WireConnection c = connections.get(i);
                while (c.nextDueNanos <= now && !c.closed) {
                    if (c.inFlight >= RING - 1 || !sendAt(i, c, c.nextDueNanos, now)) {
                        break; // hopelessly behind or buffer full: the schedule keeps running, latency grows
                    }
                    result.maxSendLagNanos = Math.max(result.maxSendLagNanos, now - c.nextDueNanos);
                    c.nextDueNanos += intervalNanos;
                }
                earliest = Math.min(earliest, c.nextDueNanos);
            }
            nextDue = earliest;
        }

        private boolean sendAt(final int local, final WireConnection c, final long due, final long now) {
            final int length = Protocol.HEADER + 8 + 1 + c.partnerBytes.length + 4 + payload.length;
            if (!reserve(c, length)) {
                return false;
            }
            final int at = c.out.position();
            final long msgId = c.nextMsgId++;
            final int written = FrameEncoder.send(c.outView, at, msgId, c.partnerBytes, payload, 0, payload.length);
            final int payloadAt = at + written - payload.length;
            c.outView.putLong(payloadAt, due, ByteOrder.LITTLE_ENDIAN);
            c.outView.putLong(payloadAt + 8, now, ByteOrder.LITTLE_ENDIAN);
            c.out.position(at + written);
            intended[local][(int) (msgId & (RING - 1))] = due;
            actual[local][(int) (msgId & (RING - 1))] = now;
            c.inFlight++;
            c.sent++;
            return true;
        }

        @Override
        long waitNanos() {
            if (nextDue == Long.MAX_VALUE) {
                return 1_000_000;
            }
            final long wait = nextDue - System.nanoTime();
            return wait <= 0 ? 0 : Math.min(wait, 50_000); // short waits poll and park; reads are polled too
        }

        @Override
        void onAck(final WireConnection c, final long msgId, final int status) {
            final int local = c.loopIndex;
            final long due = intended[local][(int) (msgId & (RING - 1))];
            if (due >= measureFrom && due < measureTo) {
                final long now = System.nanoTime();
                result.ack.recordValue(Math.min(HIGHEST, now - due));
                result.ackRaw.recordValue(Math.min(HIGHEST, now - actual[local][(int) (msgId & (RING - 1))]));
            }
        }

        @Override
        void onDeliver(final WireConnection c, final FrameDecoder d) {
            final long due = d.buffer().getLong(d.payloadOffset(), ByteOrder.LITTLE_ENDIAN);
            if (due >= measureFrom && due < measureTo) {
                final long now = System.nanoTime();
                final long sentAt = d.buffer().getLong(d.payloadOffset() + 8, ByteOrder.LITTLE_ENDIAN);
                result.deliver.recordValue(Math.min(HIGHEST, now - due));
                result.deliverRaw.recordValue(Math.min(HIGHEST, now - sentAt));
            }
        }

        /** @return what this loop measured; the count of messages due in the window and never delivered is approximate (± one per connection). */
        java.util.concurrent.CompletableFuture<Result> result() {
            final java.util.concurrent.CompletableFuture<Result> f = new java.util.concurrent.CompletableFuture<>();
            post(() -> {
                final long due = (long) ((measureTo - measureFrom) / (double) intervalNanos * connections.size());
                result.unansweredInWindow = Math.max(0, due - result.deliver.getTotalCount());
                f.complete(result);
            });
            return f;
        }
    }
}
