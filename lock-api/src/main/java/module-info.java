/**
 * The Leasehold API: what applications touch ({@code dev.leasehold.lock}) and what backend authors implement
 * ({@code dev.leasehold.lock.spi}). It has no dependencies beyond the JDK.
 */
module dev.leasehold.lock.api {
    requires transitive java.sql;

    exports dev.leasehold.lock;
    exports dev.leasehold.lock.spi;
    // Argument checks shared by Leasehold's own modules; no compatibility promise.
    exports dev.leasehold.lock.internal to
            dev.leasehold.lock.core,
            dev.leasehold.lock.table,
            dev.leasehold.lock.jdbc,
            dev.leasehold.lock.advisory,
            dev.leasehold.lock.jpa,
            dev.leasehold.lock.tck,
            dev.leasehold.lock.cli;

    uses dev.leasehold.lock.spi.LockProvider;
}
