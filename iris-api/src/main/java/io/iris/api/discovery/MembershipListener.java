package io.iris.api.discovery;

import java.util.List;

/** Told about every change of the member list. */
@FunctionalInterface
public interface MembershipListener {
    /**
     * Called on a provider thread with the complete new member list; must not block.
     *
     * @param members every member now known, sorted by id, unmodifiable.
     */
    void onMembersChanged(List<Member> members);
}
