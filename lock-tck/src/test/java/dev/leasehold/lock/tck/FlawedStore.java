package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.spi.LeaseStoreEvents;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A lease store with one deliberate flaw, for the TCK's own tests: each {@link Flaw} breaks one promise of the
 * contract, and the TCK must catch it. Without a flaw it behaves like the reference store.
 */
final class FlawedStore implements LeaseStore {

    /** The deliberate flaws, each with the rules that must catch it. */
    enum Flaw {
        /** A failure of the store's connection is rethrown without its SQLException, so it looks fatal. */
        FAILURE_WITHOUT_CAUSE("required_r5_7_"),
        /** A failure of the store's connection is swallowed and answered as "lease gone". */
        FAILURE_AS_GONE("required_r5_7_"),
        /** The expiry of a grant or renewal is computed from the client's clock, then judged by the store's. */
        CLIENT_CLOCK_EXPIRY("required_r10_1_"),
        /** awaitChange waits for a release without looking at the lock first, so a free lock keeps it waiting. */
        AWAIT_WITHOUT_LOOKING("required_r7_7_"),
        /** awaitChange answers null, not TIMED_OUT, when its wait on a held lock runs out. */
        AWAIT_ANSWERS_NULL("required_r7_7_"),
        /** Grants every request, held or not. */
        NO_EXCLUSION("required_r2_1_"),
        /** Every grant gets token 1. */
        CONSTANT_TOKEN("required_r3_1_"),
        /** Release frees the named lock whoever holds it. */
        RELEASE_IGNORES_OWNER("required_r8_4_"),
        /** Renew extends the named lock whoever holds it, even after a takeover. */
        RENEW_AFTER_TAKEOVER("required_r5_1_", "required_r8_5_"),
        /** A lease never expires. */
        NEVER_EXPIRES("required_r6_1_"),
        /** A held lock is granted again to the same owner id. */
        SILENT_REENTRANCY("required_r2_4_"),
        /** Release deletes the row, so the next token starts at 1 again. */
        TOKEN_RESET_ON_RELEASE("required_r3_1_"),
        /** renewAll renews the named leases whoever holds them. */
        RENEW_ALL_OTHER_OWNERS("required_r8_6_"),
        /** The lease time is ignored: every grant lasts an hour. */
        LEASE_TIME_IGNORED("required_r1_4_"),
        /** inspect shows released and expired leases as held. */
        INSPECT_SHOWS_STALE_ROWS("required_r1_7_"),
        /** A renewal assigns a new token. */
        RENEW_CHANGES_TOKEN("required_r3_3_"),
        /** Nothing survives a restart of its database, so tokens start at 1 again. */
        FORGETS_ON_RESTART("required_r9_3_"),
        /** Renew matches name and owner but not the token: an older grant of the same owner renews the current lease. */
        RENEW_IGNORES_TOKEN("required_r8_7_", "required_r3_7_"),
        /** Renew, renewAll and release check name, owner and token but not the expiry: an expired lease comes back. */
        HOLDER_CALLS_IGNORE_EXPIRY("required_r8_8_"),
        /** renewAll moves the expiry of every named lease that holds, then answers only for the owner's right keys. */
        RENEW_ALL_BUMPS_BEFORE_CHECK("required_r8_9_"),
        /** renewAll adds the lease time to the old expiry instead of the store's current time. */
        RENEW_ALL_FROM_OLD_EXPIRY("required_r8_9_"),
        /** inspect shows an expired lease that nobody took over as held. */
        INSPECT_IGNORES_EXPIRY("required_r1_7_"),
        /** A grant over an expired lease of the same owner id keeps its token, as if its holder came back. */
        SAME_OWNER_KEEPS_TOKEN("required_r3_7_"),
        /** A name whose lease ended more than two lease times ago is purged, so its tokens start at 1 again. */
        FORGETS_IDLE_NAMES("required_r3_6_"),
        /** Takeover of an expired lease reads the row, then writes it without a guard: racing takeovers all win. */
        TAKEOVER_CHECK_THEN_ACT("required_r2_6_"),
        /** Lease times are cut to whole seconds. */
        LEASE_TIME_WHOLE_SECONDS("required_r4_5_"),
        /** A renewal lasts 1.3 times the lease time it is given. */
        RENEW_STRETCHES_LEASE_TIME("required_r4_5_"),
        /** The next token is one more than the largest token of the leases that hold: ended leases do not count. */
        TOKEN_FROM_LIVE_LEASES("required_r3_6_"),
        /** The data goes when the last manager closes, as an in-memory database closes with its last connection. */
        FORGETS_WHEN_ALL_CLOSED("required_r3_6_", "required_r3_4_"),
        /** A grant lasts 0.8 times the lease time it is given, a margin taken off "for clock drift". */
        GRANT_SHORTENS_LEASE_TIME("required_r4_5_"),
        /** renewAll renews every lease of the owner ({@code WHERE owner_id = ?}), not only the ones it is given. */
        RENEW_ALL_SWEEPS_OWNERS_LEASES("required_r11_1_"),
        /** renew counts the lease time from the grant's time ({@code acquired_at + ?}) instead of the current time. */
        RENEW_FROM_GRANT_TIME("required_r11_2_"),
        /** releaseAfter ignores the hold and frees the lock at once. */
        RELEASE_AFTER_FREES_AT_ONCE("required_r11_3_", "required_r11_4_"),
        /** A hold lives with the store that made it, as a session lock would: closing a store ends every hold. */
        HOLD_ENDS_WITH_STORE("required_r11_4_"),
        /** releaseAfter counts the hold from the release instead of the grant. */
        HOLD_FROM_RELEASE_TIME("required_r11_5_"),
        /** A grant over an existing row keeps the row's first acquiredAt. */
        REGRANT_KEEPS_ACQUIRED_AT("required_r11_6_"),
        /** Lease times are capped at one day, as a store that checks them against the renewed-lease limit would. */
        LEASE_TIME_CAPPED_AT_A_DAY("required_r11_7_"),
        /** Purge deletes idle rows without raising the token floor, so a purged name starts again from token 1. */
        PURGE_FORGETS_FLOOR("required_r12_1_"),
        /** Purge judges a row idle by its grant's time, so it deletes a lease granted long ago that still holds. */
        PURGE_BY_GRANT_TIME("required_r12_2_"),
        /**
         * A new name's insert that meets another name's insert in its round trip reports "held", as a store that reads
         * a lock wait on the gap it inserts into as a held lock would.
         */
        NEW_NAME_BLOCKED_BY_OTHERS("required_r2_7_");

        final String[] rules;

        Flaw(String... rules) {
            this.rules = rules;
        }
    }

    private record Row(String owner, long token, Instant acquiredAt, Instant expiresAt) {
        boolean heldAt(Instant now) {
            return owner != null && expiresAt.isAfter(now);
        }

        Row withExpiry(Instant expiry) {
            return new Row(owner, token, acquiredAt, expiry);
        }
    }

    private final Flaw flaw;
    private final Clock clock;
    private final Map<String, Row> rows = new HashMap<>();
    private final Set<String> holds = new HashSet<>(); // names released with a hold; guarded by this
    private volatile boolean connectionFails;
    private final AtomicInteger inserting = new AtomicInteger(); // new names in their insert's round trip
    private int open; // managers attached and not yet closed; guarded by this
    private long floor; // at least the last token of every purged name; guarded by this

    /** A store with {@code flaw} (null: none) whose clock, playing the database's, is {@code clock}. */
    FlawedStore(Flaw flaw, Clock clock) {
        this.flaw = flaw;
        this.clock = clock;
    }

    /** What the store's database does when it starts again after a restart. */
    synchronized void restart() {
        if (is(Flaw.FORGETS_ON_RESTART)) {
            rows.clear();
        }
    }

    /** Makes the store's own "connection" fail, or stop failing. */
    void connectionFails(boolean fails) {
        connectionFails = fails;
    }

    /**
     * Whether the store's connection failed in a way the flawed store answers as "gone"; without a flaw it throws the
     * failure as the SQLException it is.
     */
    private boolean failedAsGone() throws SQLException {
        if (!connectionFails) {
            return false;
        }
        SQLException failure = new SQLTransientException("injected by the TCK: the connection failed", "40001");
        if (is(Flaw.FAILURE_WITHOUT_CAUSE)) {
            throw new IllegalStateException("store operation failed: " + failure.getMessage());
        }
        if (is(Flaw.FAILURE_AS_GONE)) {
            return true;
        }
        throw failure;
    }

    private boolean is(Flaw f) {
        return flaw == f;
    }

    private Instant expiry(Instant now, Duration leaseTime) {
        Instant from = is(Flaw.CLIENT_CLOCK_EXPIRY) ? Instant.now() : now;
        if (is(Flaw.LEASE_TIME_IGNORED)) {
            return from.plus(Duration.ofHours(1));
        }
        if (is(Flaw.LEASE_TIME_CAPPED_AT_A_DAY) && leaseTime.compareTo(Duration.ofDays(1)) > 0) {
            return from.plus(Duration.ofDays(1));
        }
        return from.plus(is(Flaw.LEASE_TIME_WHOLE_SECONDS) ? Duration.ofSeconds(leaseTime.toSeconds()) : leaseTime);
    }

    private boolean held(Row row, Instant now) {
        if (row == null || row.owner() == null) {
            return false;
        }
        return is(Flaw.NEVER_EXPIRES) || row.heldAt(now);
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
        if (is(Flaw.NEW_NAME_BLOCKED_BY_OTHERS) && row(name) == null) {
            return insertBlockedByOthers(name, owner, leaseTime);
        }
        Row seen = is(Flaw.TAKEOVER_CHECK_THEN_ACT) ? row(name) : null;
        if (seen != null && seen.owner() != null && !seen.heldAt(clock.instant())) {
            return takeOverUnguarded(name, owner, leaseTime, seen);
        }
        return grant(name, owner, leaseTime);
    }

    private synchronized Row row(String name) {
        return rows.get(name);
    }

    /** The flawed insert: while another new name's insert is in its round trip, this one answers "held". */
    private Optional<LeaseGrant> insertBlockedByOthers(String name, String owner, Duration leaseTime)
            throws SQLException {
        if (inserting.getAndIncrement() > 0) {
            inserting.decrementAndGet();
            return Optional.empty();
        }
        try {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the insert's round trip
            return grant(name, owner, leaseTime);
        } finally {
            inserting.decrementAndGet();
        }
    }

    /** The flawed takeover: writes by name alone, on the strength of a row it read a round trip earlier. */
    private Optional<LeaseGrant> takeOverUnguarded(String name, String owner, Duration leaseTime, Row seen) {
        // The round trip between the read and the write, in which a contender reads the same expired row.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        synchronized (this) {
            Instant now = clock.instant();
            Instant expiresAt = expiry(now, leaseTime);
            rows.put(name, new Row(owner, seen.token() + 1, now, expiresAt));
            return Optional.of(new LeaseGrant(seen.token() + 1, now, expiresAt));
        }
    }

    private synchronized Optional<LeaseGrant> grant(String name, String owner, Duration leaseTime) throws SQLException {
        if (failedAsGone()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Row row = rows.get(name);
        if (is(Flaw.FORGETS_IDLE_NAMES)
                && row != null
                && row.expiresAt().plus(leaseTime.multipliedBy(2)).isBefore(now)) {
            rows.remove(name);
            row = null;
        }
        boolean free =
                !held(row, now) || is(Flaw.NO_EXCLUSION) || (is(Flaw.SILENT_REENTRANCY) && owner.equals(row.owner()));
        if (!free) {
            return Optional.empty();
        }
        long token = is(Flaw.CONSTANT_TOKEN) ? 1 : row == null ? floor + 1 : row.token() + 1;
        if (is(Flaw.TOKEN_FROM_LIVE_LEASES)) {
            token = 1
                    + rows.values().stream()
                            .filter(r -> r.heldAt(now))
                            .mapToLong(Row::token)
                            .max()
                            .orElse(0);
        }
        if (is(Flaw.SAME_OWNER_KEEPS_TOKEN) && row != null && owner.equals(row.owner())) {
            token = row.token();
        }
        Instant expiresAt = expiry(
                now,
                is(Flaw.GRANT_SHORTENS_LEASE_TIME) ? leaseTime.multipliedBy(8).dividedBy(10) : leaseTime);
        Instant acquiredAt = is(Flaw.REGRANT_KEEPS_ACQUIRED_AT) && row != null ? row.acquiredAt() : now;
        rows.put(name, new Row(owner, token, acquiredAt, expiresAt));
        return Optional.of(new LeaseGrant(token, acquiredAt, expiresAt));
    }

    private boolean matches(Row row, String owner, long token, Instant now) {
        boolean live = is(Flaw.HOLDER_CALLS_IGNORE_EXPIRY) ? row != null && row.owner() != null : held(row, now);
        return live && row.owner().equals(owner) && row.token() == token;
    }

    @Override
    public synchronized Optional<Instant> renew(String name, String owner, long token, Duration leaseTime)
            throws SQLException {
        if (failedAsGone()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Row row = rows.get(name);
        boolean ok = is(Flaw.RENEW_AFTER_TAKEOVER)
                ? row != null
                : is(Flaw.RENEW_IGNORES_TOKEN)
                        ? held(row, now) && row.owner().equals(owner)
                        : matches(row, owner, token, now);
        if (!ok) {
            return Optional.empty();
        }
        long newToken = is(Flaw.RENEW_CHANGES_TOKEN) ? row.token() + 1 : row.token();
        Instant expiresAt = is(Flaw.RENEW_STRETCHES_LEASE_TIME)
                ? expiry(now, leaseTime.multipliedBy(13).dividedBy(10))
                : is(Flaw.RENEW_FROM_GRANT_TIME) ? row.acquiredAt().plus(leaseTime) : expiry(now, leaseTime);
        rows.put(name, new Row(row.owner(), newToken, row.acquiredAt(), expiresAt));
        return Optional.of(expiresAt);
    }

    @Override
    public synchronized Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
            throws SQLException {
        if (failedAsGone()) {
            return Map.of();
        }
        Map<String, Instant> renewed = new LinkedHashMap<>();
        Instant now = clock.instant();
        for (LeaseKey key : leases) {
            Row row = rows.get(key.name());
            if (is(Flaw.RENEW_ALL_OTHER_OWNERS) || is(Flaw.RENEW_ALL_BUMPS_BEFORE_CHECK)) {
                if (held(row, now)) {
                    Instant expiresAt = expiry(now, leaseTime);
                    rows.put(key.name(), row.withExpiry(expiresAt));
                    if (is(Flaw.RENEW_ALL_OTHER_OWNERS) || matches(row, owner, key.token(), now)) {
                        renewed.put(key.name(), expiresAt);
                    }
                }
            } else if (is(Flaw.RENEW_ALL_FROM_OLD_EXPIRY)) {
                if (matches(row, owner, key.token(), now)) {
                    Instant expiresAt = row.expiresAt().plus(leaseTime);
                    rows.put(key.name(), row.withExpiry(expiresAt));
                    renewed.put(key.name(), expiresAt);
                }
            } else {
                renew(key.name(), owner, key.token(), leaseTime).ifPresent(e -> renewed.put(key.name(), e));
            }
        }
        if (is(Flaw.RENEW_ALL_SWEEPS_OWNERS_LEASES)) {
            for (Map.Entry<String, Row> e : rows.entrySet()) {
                if (owner.equals(e.getValue().owner()) && held(e.getValue(), now)) {
                    e.setValue(e.getValue().withExpiry(expiry(now, leaseTime)));
                }
            }
        }
        return renewed;
    }

    @Override
    public synchronized boolean release(String name, String owner, long token) throws SQLException {
        if (failedAsGone()) {
            return false;
        }
        Instant now = clock.instant();
        Row row = rows.get(name);
        boolean ok = is(Flaw.RELEASE_IGNORES_OWNER) ? held(row, now) : matches(row, owner, token, now);
        if (!ok) {
            return false;
        }
        if (is(Flaw.TOKEN_RESET_ON_RELEASE)) {
            rows.remove(name);
        } else {
            rows.put(name, new Row(null, row.token(), row.acquiredAt(), now));
        }
        notifyAll();
        return true;
    }

    @Override
    public synchronized boolean releaseAfter(String name, String owner, long token, Duration minHold)
            throws SQLException {
        if (failedAsGone()) {
            return false;
        }
        if (is(Flaw.RELEASE_AFTER_FREES_AT_ONCE)) {
            return release(name, owner, token);
        }
        Instant now = clock.instant();
        Row row = rows.get(name);
        if (!matches(row, owner, token, now)) {
            return false;
        }
        Instant holdEnd = (is(Flaw.HOLD_FROM_RELEASE_TIME) ? now : row.acquiredAt()).plus(minHold);
        if (holdEnd.isAfter(now)) {
            rows.put(name, row.withExpiry(holdEnd));
            holds.add(name);
        } else {
            rows.put(name, new Row(null, row.token(), row.acquiredAt(), now));
        }
        notifyAll();
        return true;
    }

    @Override
    public synchronized long purgeIdle(Duration idleFor) {
        Instant before = clock.instant().minus(idleFor);
        long purged = 0;
        for (var it = rows.values().iterator(); it.hasNext(); ) {
            Row row = it.next();
            Instant since = is(Flaw.PURGE_BY_GRANT_TIME) ? row.acquiredAt() : row.expiresAt();
            if (since.isBefore(before)) {
                if (!is(Flaw.PURGE_FORGETS_FLOOR)) {
                    floor = Math.max(floor, row.token());
                }
                it.remove();
                purged++;
            }
        }
        return purged;
    }

    @Override
    public synchronized Optional<LockInfo> inspect(String name) throws SQLException {
        if (failedAsGone()) {
            return Optional.empty();
        }
        Row row = rows.get(name);
        if (row == null) {
            return Optional.empty();
        }
        if (is(Flaw.INSPECT_SHOWS_STALE_ROWS)) {
            String owner = row.owner() != null ? row.owner() : "nobody";
            return Optional.of(new LockInfo(name, owner, row.token(), row.acquiredAt(), row.expiresAt()));
        }
        boolean shown = held(row, clock.instant()) || (is(Flaw.INSPECT_IGNORES_EXPIRY) && row.owner() != null);
        if (!shown) {
            return Optional.empty();
        }
        return Optional.of(new LockInfo(name, row.owner(), row.token(), row.acquiredAt(), row.expiresAt()));
    }

    @Override
    public synchronized AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException {
        long end = System.nanoTime() + maxWait.toNanos();
        boolean look = !is(Flaw.AWAIT_WITHOUT_LOOKING);
        while (true) {
            Row row = rows.get(name);
            Instant now = clock.instant();
            if (look && !held(row, now)) {
                return AwaitOutcome.CHANGED;
            }
            look = true;
            long left = end - System.nanoTime();
            if (left <= 0) {
                return is(Flaw.AWAIT_ANSWERS_NULL) ? null : AwaitOutcome.TIMED_OUT;
            }
            long untilExpiry =
                    row == null ? left : Duration.between(now, row.expiresAt()).toNanos();
            long sleep = Math.max(1_000_000, untilExpiry > 0 ? Math.min(left, untilExpiry) : left);
            wait(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
    }

    @Override
    public synchronized void attach(LeaseStoreEvents events) {
        open++;
    }

    @Override
    public synchronized void close() {
        open--;
        if (is(Flaw.HOLD_ENDS_WITH_STORE)) {
            Instant now = clock.instant();
            for (String name : holds) {
                Row row = rows.get(name);
                rows.put(name, new Row(null, row.token(), row.acquiredAt(), now));
            }
            holds.clear();
        }
        if (open == 0 && is(Flaw.FORGETS_WHEN_ALL_CLOSED)) {
            rows.clear();
        }
    }
}
