package io.iris.api.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The frame of a {@link Discovery} whose members come from an external source (a DNS server, a Consul
 * agent, etcd) read by threads of its own: the {@link Membership} it publishes, the threads' life cycle
 * (start, pause between attempts, stop on {@link #close()}), the doubling retry backoff, and the
 * start-up wait that fails with one line naming the source's key.
 *
 * <p>Why a base class: every provider with a source needs exactly this, and the TCK's promises about
 * threads (all named {@code iris-discovery-*}, all gone after {@code close()}) and start-up (a bounded
 * wait, then a clear error) should be kept in one place. A subclass supplies the loops that read the
 * source and tell {@link #membership()} what they saw, and optionally {@link #stopping()} (unblock a
 * read) and {@link #stopped()} (deregister).
 */
public abstract class SourceDiscovery implements Discovery {
    /** The first pause after a failed attempt; it doubles up to the provider's maximum. */
    public static final long FIRST_BACKOFF_MILLIS = 100;

    private final Membership membership;
    private final Object pause = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /** @param source names the provider and its source in log lines, e.g. {@code discovery=dns (...)}. */
    protected SourceDiscovery(final String source) {
        this.membership = new Membership(source);
    }

    /** @return what this discovery publishes; the source-reading threads report to it. */
    protected final Membership membership() {
        return membership;
    }

    /**
     * Starts a daemon thread; call from the subclass's start-up, before {@link #awaitStart}.
     *
     * @param name the thread's name; must start with {@code iris-discovery-}.
     * @param body the loop; it must return soon after {@link #isClosed()} turns true.
     */
    protected final void startThread(final String name, final Runnable body) {
        if (!name.startsWith("iris-discovery-")) {
            throw new IllegalArgumentException("discovery thread names start with iris-discovery-: " + name);
        }
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        synchronized (threads) {
            threads.add(thread);
        }
        thread.start();
    }

    /**
     * Waits up to {@code timeoutMillis} for the first member list and for {@code ready} (e.g. a first
     * registration; may be null); on timeout closes this discovery and throws.
     *
     * @param timeoutMillis the provider's start timeout.
     * @param ready         counted down once the provider's other start-up condition holds, or null.
     * @param failure       the error's text, naming the source's key and the timeout key; the last
     *                      failure reported is appended.
     * @throws IllegalStateException on timeout or interruption.
     */
    protected final void awaitStart(final long timeoutMillis, final CountDownLatch ready, final String failure) {
        try {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            final boolean started = membership.awaitFirstList(timeoutMillis)
                && (ready == null || ready.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            if (!started) {
                close();
                throw new IllegalStateException(failure + " (last error: " + membership.lastFailure() + ")");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException(failure + ": interrupted while starting", e);
        }
    }

    /** @return true once {@link #close()} began: every loop must end. */
    protected final boolean isClosed() {
        return closed;
    }

    /**
     * Waits {@code millis}, or less if {@link #close()} is called meanwhile.
     *
     * @param millis how long.
     */
    protected final void pause(final long millis) {
        synchronized (pause) {
            if (!closed && millis > 0) {
                try {
                    pause.wait(millis);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * @param current the pause just taken.
     * @param max     the provider's longest pause.
     * @return the next pause: double, at most {@code max}.
     */
    protected static long nextBackoff(final long current, final long max) {
        return Math.min(current * 2, max);
    }

    /** Called by {@link #close()} after the loops were told to stop, before joining them: unblock a read. */
    protected void stopping() {
    }

    /** Called by {@link #close()} once every thread ended: deregister from the source. */
    protected void stopped() {
    }

    @Override
    public final List<Member> members() {
        return membership.members();
    }

    @Override
    public final void subscribe(final MembershipListener listener) {
        membership.subscribe(listener);
    }

    @Override
    public final boolean isSourceReachable() {
        return membership.isSourceReachable();
    }

    @Override
    public final long sourceErrors() {
        return membership.sourceErrors();
    }

    /** Stops every loop (interrupting blocked ones), joins the threads (10 s each at most), then {@link #stopped()}. */
    @Override
    public final void close() {
        synchronized (pause) {
            if (closed) {
                return;
            }
            closed = true;
            pause.notifyAll();
        }
        stopping();
        final List<Thread> all;
        synchronized (threads) {
            all = new ArrayList<>(threads);
        }
        for (final Thread t : all) {
            t.interrupt();
        }
        for (final Thread t : all) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopped();
    }
}
