/**
 * The {@code advisory} backend of Leasehold: PostgreSQL advisory locks plus the lease table of {@code lock-table}.
 */
module dev.leasehold.lock.advisory {
    requires transitive dev.leasehold.lock.core;
    requires dev.leasehold.lock.table;
    requires transitive org.jdbi.v3.core;
    requires transitive java.sql;
    requires org.slf4j;

    exports dev.leasehold.lock.advisory;

    provides dev.leasehold.lock.spi.LockProvider with
            dev.leasehold.lock.advisory.AdvisoryLockProvider;
}
