package dev.leasehold.lock.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code leasehold.metrics.*} properties of {@link LeaseholdMetricsAutoConfiguration}.
 *
 * <p>This class is not thread-safe; Spring binds it once at start-up.
 */
@ConfigurationProperties("leasehold.metrics")
public class LeaseholdMetricsProperties {

    /**
     * Whether the leasehold.* meters carry the tag "lock" with the lock's name. Off by default: names with per-call
     * keys make a meter per name, without bound.
     */
    private boolean lockNameTag;

    /** Whether leasehold.acquire.wait publishes a percentile histogram. */
    private boolean waitHistogram;

    public boolean isLockNameTag() {
        return lockNameTag;
    }

    public void setLockNameTag(boolean lockNameTag) {
        this.lockNameTag = lockNameTag;
    }

    public boolean isWaitHistogram() {
        return waitHistogram;
    }

    public void setWaitHistogram(boolean waitHistogram) {
        this.waitHistogram = waitHistogram;
    }
}
