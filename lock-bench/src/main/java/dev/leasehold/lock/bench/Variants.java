package dev.leasehold.lock.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Every variant that runs on a database, the floor first. */
final class Variants {

    private Variants() {}

    /** The variants of this database whose ids are in {@code only} (all when {@code only} is empty). */
    static List<Variant> forDatabase(DbKind kind, Set<String> only) {
        List<Variant> all = new ArrayList<>();
        all.add(RawClients.floor(kind));
        all.add(RawClients.select1());
        if (kind != DbKind.H2) {
            all.add(RawClients.advisory(kind));
        }
        if (kind == DbKind.POSTGRESQL) {
            all.add(RawClients.durableUpsert());
        }
        for (String backend : LeaseholdClients.backends(kind)) {
            all.add(LeaseholdClients.variant(kind, backend));
        }
        if (kind == DbKind.POSTGRESQL) {
            all.add(LeaseholdClients.jdbcNotifyingAlways());
            all.add(LeaseholdClients.jdbcStoreAlone());
        }
        all.add(PeerClients.shedLockJdbc());
        all.add(PeerClients.shedLockTemplate());
        all.add(PeerClients.springIntegration());
        if (only.isEmpty()) {
            return all;
        }
        // The floor always runs: every ratio is taken to it.
        return all.stream()
                .filter(v -> v.role() == Variant.Role.FLOOR || only.contains(v.id()))
                .toList();
    }

    /** Every variant id, for the help text. */
    static List<String> allIds() {
        return forDatabase(DbKind.POSTGRESQL, Set.of()).stream()
                .map(Variant::id)
                .toList();
    }
}
