/**
 * The lease table that the {@code jdbc}, {@code advisory} and {@code jpa} backends share, described once: each
 * database's dialect and DDL ({@code dev.leasehold.lock.table}, for applications that create the table with Flyway or
 * Liquibase), and the table set-up, lease statements and connection rules the backends execute ({@code internal}).
 */
module dev.leasehold.lock.table {
    requires transitive dev.leasehold.lock.api;
    requires transitive java.sql;

    exports dev.leasehold.lock.table;
    // The set-up, statements and connection rules, for Leasehold's own backends; no compatibility promise.
    exports dev.leasehold.lock.table.internal to
            dev.leasehold.lock.jdbc,
            dev.leasehold.lock.advisory,
            dev.leasehold.lock.jpa;
}
