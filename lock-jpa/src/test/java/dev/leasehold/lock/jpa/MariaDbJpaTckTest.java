package dev.leasehold.lock.jpa;

import dev.leasehold.lock.testing.DatabaseKind;

/** The whole TCK against the JPA backend on MariaDB. */
class MariaDbJpaTckTest extends JpaTck {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.MARIADB;
    }
}
