package dev.leasehold.lock.micrometer;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * How {@link LeaseholdMetrics} tags and records: whether meters carry the lock's name, whether the acquire wait
 * publishes a histogram, and tags added to every meter. Build with {@link #builder()}; {@link #defaults()} has every
 * default.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param lockNameTag whether every meter also carries the tag {@code lock} with the lock's name; default false, since
 *     names with per-call keys ({@code invoice-42}) make a meter per name, without bound
 * @param waitHistogram whether {@code leasehold.acquire.wait} publishes a percentile histogram; default false
 * @param commonTags added to every meter; default none
 */
public record MetricsOptions(boolean lockNameTag, boolean waitHistogram, Tags commonTags) {

    public MetricsOptions {
        checkCommonTags(commonTags);
    }

    private static Tags checkCommonTags(Iterable<Tag> commonTags) {
        if (commonTags == null) {
            throw new IllegalArgumentException("commonTags must not be null: pass Tags.empty() for none");
        }
        for (Tag tag : commonTags) {
            String key = tag.getKey();
            if (key.equals(LeaseholdMetrics.BACKEND_TAG) || key.equals(LeaseholdMetrics.LOCK_TAG)) {
                throw new IllegalArgumentException(
                        "commonTags must not use the tag '" + key + "', which LeaseholdMetrics sets itself");
            }
        }
        return Tags.of(commonTags);
    }

    /** Every default: no lock name tag, no histogram, no common tags. */
    public static MetricsOptions defaults() {
        return builder().build();
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link MetricsOptions}. This class is not thread-safe. */
    public static final class Builder {
        private boolean lockNameTag;
        private boolean waitHistogram;
        private Tags commonTags = Tags.empty();

        private Builder() {}

        /** Whether meters carry the tag {@code lock}; default false (lock names can be unbounded). */
        public Builder lockNameTag(boolean lockNameTag) {
            this.lockNameTag = lockNameTag;
            return this;
        }

        /** Whether {@code leasehold.acquire.wait} publishes a percentile histogram; default false. */
        public Builder waitHistogram(boolean waitHistogram) {
            this.waitHistogram = waitHistogram;
            return this;
        }

        /** Tags added to every meter (an application or instance name, say); default none. */
        public Builder commonTags(Iterable<Tag> commonTags) {
            this.commonTags = checkCommonTags(commonTags);
            return this;
        }

        /** Checks the values and builds the options. */
        public MetricsOptions build() {
            return new MetricsOptions(lockNameTag, waitHistogram, commonTags);
        }
    }
}
