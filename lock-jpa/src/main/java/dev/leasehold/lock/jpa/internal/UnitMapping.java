package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jpa.JpaLockManager;
import dev.leasehold.lock.jpa.LeaseRow;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.LeaseStatements;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a persistence unit maps the lease table: the database's dialect and the table {@link LeaseRow} is mapped to, as
 * SQL (quoted and qualified as the provider renders it, so that native statements hit the same table as the entity).
 *
 * @param dialect the database's dialect
 * @param table the table as SQL
 * @param fromProvider whether the provider told the table (Hibernate); otherwise it is derived from the unit's
 *     properties {@value JpaLockManager#SCHEMA_PROPERTY} and {@value JpaLockManager#TABLE_PREFIX_PROPERTY}, which the
 *     application's own mapping of {@link LeaseRow} must agree with
 */
public record UnitMapping(Dialect dialect, String table, boolean fromProvider) {

    /**
     * The mapping of {@code emf}.
     *
     * @throws LockConfigurationException if the factory is closed, does not manage {@link LeaseRow}, or its database
     *     is not supported
     */
    public static UnitMapping of(EntityManagerFactory emf) {
        if (!emf.isOpen()) {
            throw new LockConfigurationException("the EntityManagerFactory is closed: pass one the application still"
                    + " uses (lock managers built on it must be closed before it)");
        }
        try {
            emf.getMetamodel().entity(LeaseRow.class);
        } catch (IllegalArgumentException e) {
            throw new LockConfigurationException(
                    "the persistence unit does not manage " + LeaseRow.class.getName() + ": with Hibernate it is added"
                            + " on its own unless " + JpaLockManager.CONTRIBUTE_PROPERTY + " is false; with another JPA"
                            + " provider list it in the unit (<class>" + LeaseRow.class.getName() + "</class>)",
                    e);
        }
        if (HibernateSupport.present()) {
            Optional<UnitMapping> hibernate = HibernateSupport.mapping(emf);
            if (hibernate.isPresent()) {
                return hibernate.get();
            }
        }
        Dialect dialect = dialectFromConnection(emf);
        String schema = LeaseRowContributor.schema(emf.getProperties());
        String prefix = LeaseRowContributor.prefix(emf.getProperties());
        return new UnitMapping(dialect, dialect.qualifiedTable(schema, prefix), false);
    }

    private static Dialect dialectFromConnection(EntityManagerFactory emf) {
        EntityManager em = emf.createEntityManager();
        try {
            EntityTransaction tx = em.getTransaction();
            tx.begin();
            try {
                String product = em.unwrap(Connection.class).getMetaData().getDatabaseProductName();
                return Dialect.of(product)
                        .orElseThrow(() -> new LockConfigurationException("the jpa backend supports PostgreSQL, H2"
                                + " and MariaDB/MySQL; this persistence unit's database is " + product));
            } finally {
                tx.rollback();
            }
        } catch (SQLException | PersistenceException e) {
            throw new LockConfigurationException(
                    "cannot find the database of the persistence unit: " + e.getMessage(), e);
        } finally {
            em.close();
        }
    }

    /**
     * The lease statements of this table (lock-table's), for the native parts of the backend; {@code rowLockTimeout}
     * bounds row-lock waits where a statement bounds them itself.
     */
    public LeaseStatements statements(Duration rowLockTimeout) {
        return LeaseStatements.of(dialect, table, rowLockTimeout, null);
    }

    /** The parts of the table name without quotes: {@code [table]} or {@code [schema, table]}. */
    public List<String> parts() {
        List<String> parts = new ArrayList<>();
        for (String part : table.split("\\.")) {
            String p = part.strip();
            if (p.length() >= 2 && !Character.isLetterOrDigit(p.charAt(0)) && p.charAt(0) != '_') {
                p = p.substring(1, p.length() - 1);
            }
            parts.add(p);
        }
        return parts;
    }

    /** The table name without schema or quotes. */
    public String tableName() {
        List<String> parts = parts();
        return parts.get(parts.size() - 1);
    }

    /** The prefix of the table name: what comes before {@value LockSettings#TABLE_NAME}. */
    public String tablePrefix() {
        String name = tableName();
        return name.endsWith(LockSettings.TABLE_NAME)
                ? name.substring(0, name.length() - LockSettings.TABLE_NAME.length())
                : name;
    }

    /** The schema (or MariaDB database) the table is qualified with, without quotes, if any. */
    public Optional<String> schema() {
        List<String> parts = parts();
        return parts.size() > 1 ? Optional.of(parts.get(parts.size() - 2)) : Optional.empty();
    }
}
