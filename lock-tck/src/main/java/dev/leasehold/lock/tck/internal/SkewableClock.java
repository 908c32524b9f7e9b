package dev.leasehold.lock.tck.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A wall clock that runs a settable offset ahead of (or behind) the system clock: the clock of a store whose time lives
 * in the JVM (such as the reference store's), so that a fixture can skew it against the client's clock for {@link
 * dev.leasehold.lock.tck.TckFixture#skewStoreClock}.
 *
 * <p>This class is thread-safe.
 */
public final class SkewableClock extends Clock {

    private final Clock base;
    private final AtomicReference<Duration> offset;

    /** A clock that runs with the system clock (UTC) until {@link #skew} moves it. */
    public SkewableClock() {
        this(Clock.systemUTC(), new AtomicReference<>(Duration.ZERO));
    }

    private SkewableClock(Clock base, AtomicReference<Duration> offset) {
        this.base = base;
        this.offset = offset;
    }

    /** From now on, this clock (and every zone view of it) runs {@code offset} ahead of the system clock. */
    public void skew(Duration offset) {
        if (offset == null) {
            throw new IllegalArgumentException("offset is null; pass Duration.ZERO to end the skew");
        }
        this.offset.set(offset);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return base.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new SkewableClock(base.withZone(zone), offset);
    }
}
