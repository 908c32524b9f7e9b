package dev.leasehold.lock.jpa;

import dev.leasehold.lock.testing.DatabaseKind;

/** The whole TCK against the JPA backend on H2. */
class H2JpaTckTest extends JpaTck {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.H2;
    }
}
