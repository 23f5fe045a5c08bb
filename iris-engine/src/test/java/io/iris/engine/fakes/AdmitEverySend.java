package io.iris.engine.fakes;

import io.iris.api.flow.OverloadLevel;
import io.iris.engine.flow.FlowController;

/** A {@link FlowController} that admits every SEND (the overload paths have their own tests). */
public final class AdmitEverySend implements FlowController {
    /** The one instance. */
    public static final AdmitEverySend INSTANCE = new AdmitEverySend();
    /** What {@link #retryAfterMillis} answers at every level. */
    public static final long RETRY_AFTER_MILLIS = 250;

    private AdmitEverySend() {
    }

    @Override
    public long admit(final int shard) {
        return 0;
    }

    @Override
    public long retryAfterMillis(final OverloadLevel level) {
        return RETRY_AFTER_MILLIS;
    }
}
