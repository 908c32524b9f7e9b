package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.TableSetup;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The lease table an advisory store runs on, and the advisory keys of its lock names: set up once at start, on a
 * database checked to be PostgreSQL, as {@code lock-jdbc} sets up its table, with the key namespace derived from the
 * table's schema and name as the database spells them.
 *
 * <p>This record is immutable and thread-safe.
 *
 * @param table the quoted, qualified lease table
 * @param keys the key function of the table's namespace
 */
record AdvisoryTable(String table, AdvisoryKeys keys) {

    /**
     * Checks that the database is PostgreSQL, sets up the lease table, and derives its key namespace.
     *
     * @param connections where the store's connections come from
     * @param jdbi the same database through Jdbi, for the table set-up
     * @throws LockConfigurationException if the database is not PostgreSQL or the table cannot be used
     */
    static AdvisoryTable setUp(ConnectionSource connections, Jdbi jdbi, LockSettings settings) {
        requirePostgres(connections);
        TableSetup.Result setup = TableSetup.withRetries(() -> {
            try (Handle h = jdbi.open()) {
                return TableSetup.ensure(h.getConnection(), settings);
            }
        });
        return new AdvisoryTable(setup.table(), AdvisoryKeys.of(namespace(connections, setup.table())));
    }

    private static void requirePostgres(ConnectionSource connections) {
        String product;
        String url;
        try (ConnectionSource.Borrowed b = connections.borrow()) {
            product = b.connection().getMetaData().getDatabaseProductName();
            url = b.connection().getMetaData().getURL();
        } catch (SQLException e) {
            throw new LockConfigurationException(
                    "cannot reach the database (SQLState " + e.getSQLState() + ": " + e.getMessage() + ")", e);
        }
        if (Dialect.of(product).orElse(null) != Dialect.POSTGRESQL) {
            throw new LockConfigurationException("the advisory backend needs PostgreSQL (it keeps locks as PostgreSQL"
                    + " advisory locks), but this database is " + product + " at " + url
                    + "; use the jdbc backend for other databases: Locks.builder().backend(\"jdbc\")");
        }
    }

    private static String namespace(ConnectionSource connections, String table) {
        try (ConnectionSource.Borrowed b = connections.borrow()) {
            return AdvisoryStatements.namespace(b.connection(), table)
                    .orElseThrow(() ->
                            new LockConfigurationException("the lock table " + table + " vanished during set-up"));
        } catch (SQLException e) {
            throw new LockConfigurationException(
                    "cannot resolve the lock table " + table + " (SQLState " + e.getSQLState() + ")", e);
        }
    }
}
