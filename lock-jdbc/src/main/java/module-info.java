/**
 * The {@code jdbc} backend of Leasehold: a lease table over JDBC, written with Jdbi, for PostgreSQL, H2 and
 * MariaDB/MySQL.
 */
module dev.leasehold.lock.jdbc {
    requires transitive dev.leasehold.lock.core;
    requires transitive dev.leasehold.lock.table;
    requires transitive org.jdbi.v3.core;
    requires transitive java.sql;
    requires org.slf4j;
    requires static org.postgresql.jdbc;

    exports dev.leasehold.lock.jdbc;

    provides dev.leasehold.lock.spi.LockProvider with
            dev.leasehold.lock.jdbc.JdbcLockProvider;
}
