package io.iris.api.discovery;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The member list a provider publishes, and the "keep the last good list" rule every provider shares.
 *
 * <p>Why one class: the TCK's promises (complete sorted lists, one listener call per change, the last
 * good list kept while the source is unreachable, one log line per outage, an error counter) are the
 * same for every provider, so they live here once. A provider's watch thread only says what it saw:
 * {@link #update} with a complete list, or {@link #sourceFailed} with why it saw nothing.
 *
 * <p>Thread-safe. Listeners are called under this object's lock, in change order, on the thread that
 * reported the change; a listener that throws is logged and does not stop the others.
 */
public final class Membership {
    private static final System.Logger LOG = System.getLogger(Membership.class.getName());

    private final String source;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private List<Member> members = List.of();
    private boolean haveList;
    private boolean reachable = true;
    private Throwable lastFailure;
    private volatile long errors;

    /**
     * @param source names the provider and its source in log lines, e.g. {@code discovery=etcd (http://10.0.0.5:2379)}.
     */
    public Membership(final String source) {
        this.source = source;
    }

    /**
     * Publishes a complete member list read from the source (and marks the source reachable).
     * Listeners are called only when it differs from the current list.
     *
     * @param complete every member the source holds now, in any order.
     * @return true when the membership changed.
     * @throws IllegalArgumentException if two members share an id (nothing is published).
     */
    public synchronized boolean update(final Collection<Member> complete) {
        final List<Member> sorted = new ArrayList<>(complete);
        sorted.sort(Member.BY_ID);
        final Set<String> ids = new HashSet<>();
        for (final Member m : sorted) {
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException(source + ": two members with id '" + m.id() + "': " + sorted);
            }
        }
        sourceAnswered();
        haveList = true;
        notifyAll();
        final List<Member> next = List.copyOf(sorted);
        if (next.equals(members)) {
            return false;
        }
        LOG.log(Level.DEBUG, "{0}: {1} member(s) {2}", source, next.size(), next);
        members = next;
        for (final MembershipListener l : listeners) {
            call(l, next);
        }
        return true;
    }

    /**
     * Marks the source reachable again without a new list (e.g. a keepalive succeeded); logs the
     * recovery once.
     */
    public synchronized void sourceAnswered() {
        if (!reachable) {
            reachable = true;
            LOG.log(Level.INFO, "{0}: source reachable again", source);
        }
    }

    /**
     * Counts a failed attempt and keeps the last good list. Logged at WARNING on the first failure of
     * an outage and whenever the kind of failure changes, at DEBUG otherwise.
     *
     * @param what  what was attempted, e.g. {@code "watch"}.
     * @param cause why it failed.
     */
    public synchronized void sourceFailed(final String what, final Throwable cause) {
        errors++;
        final boolean first = reachable || lastFailure == null
            || !lastFailure.getClass().equals(cause.getClass());
        reachable = false;
        lastFailure = cause;
        LOG.log(first ? Level.WARNING : Level.DEBUG, "{0}: {1} failed ({2}); keeping the last good list of {3}"
            + " member(s), retrying", source, what, String.valueOf(cause), members.size());
    }

    /** @return the current list, sorted by id, unmodifiable. */
    public synchronized List<Member> members() {
        return members;
    }

    /**
     * Adds a listener and calls it at once with the current list.
     *
     * @param listener the listener.
     */
    public synchronized void subscribe(final MembershipListener listener) {
        listeners.add(listener);
        call(listener, members);
    }

    /** @return false from a {@link #sourceFailed} until the next {@link #update} or {@link #sourceAnswered}. */
    public synchronized boolean isSourceReachable() {
        return reachable;
    }

    /** @return failed attempts since creation. */
    public long sourceErrors() {
        return errors;
    }

    /**
     * Waits for the first good list (start-up).
     *
     * @param timeoutMillis how long to wait.
     * @return true once a list was published; false on timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    public synchronized boolean awaitFirstList(final long timeoutMillis) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!haveList) {
            final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** @return the last failure reported, or null. */
    public synchronized Throwable lastFailure() {
        return lastFailure;
    }

    private void call(final MembershipListener listener, final List<Member> list) {
        try {
            listener.onMembersChanged(list);
        } catch (final RuntimeException e) {
            LOG.log(Level.ERROR, source + ": a membership listener threw", e);
        }
    }
}
