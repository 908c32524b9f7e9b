package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.jpa.LeaseRow;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.util.Optional;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.dialect.Dialect;
import org.hibernate.dialect.H2Dialect;
import org.hibernate.dialect.MySQLDialect;
import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * What the backend learns from Hibernate about a persistence unit: the database's dialect and the table {@link
 * LeaseRow} is mapped to, as Hibernate renders it in SQL. Only loaded when the EntityManagerFactory is Hibernate's.
 *
 * <p>This class is thread-safe.
 */
final class HibernateSupport {

    private HibernateSupport() {}

    /** Whether Hibernate's classes are on the class path. */
    static boolean present() {
        try {
            Class.forName(
                    "org.hibernate.engine.spi.SessionFactoryImplementor",
                    false,
                    HibernateSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Runs {@code work} on the JDBC connection of a Hibernate EntityManager's transaction, or returns empty when
     * {@code em} is another provider's.
     */
    static <T> Optional<T> withConnection(EntityManager em, Function<Connection, T> work) {
        Session session;
        try {
            session = em.unwrap(Session.class);
        } catch (PersistenceException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(session.doReturningWork(work::apply));
    }

    /** The mapping of a Hibernate EntityManagerFactory, or empty when it is another provider's. */
    static Optional<UnitMapping> mapping(EntityManagerFactory emf) {
        SessionFactoryImplementor factory;
        try {
            factory = emf.unwrap(SessionFactoryImplementor.class);
        } catch (PersistenceException | IllegalArgumentException e) {
            return Optional.empty();
        }
        Dialect dialect = factory.getJdbcServices().getDialect();
        dev.leasehold.lock.table.Dialect sql;
        if (dialect instanceof PostgreSQLDialect) {
            sql = dev.leasehold.lock.table.Dialect.POSTGRESQL;
        } else if (dialect instanceof H2Dialect) {
            sql = dev.leasehold.lock.table.Dialect.H2;
        } else if (dialect instanceof MySQLDialect) {
            sql = dev.leasehold.lock.table.Dialect.MARIADB;
        } else {
            throw new LockConfigurationException("the jpa backend supports PostgreSQL, H2 and MariaDB/MySQL; this"
                    + " persistence unit uses " + dialect.getClass().getName());
        }
        String table = factory.getMappingMetamodel()
                .getEntityDescriptor(LeaseRow.class)
                .getTableName();
        return Optional.of(new UnitMapping(sql, table, true));
    }
}
