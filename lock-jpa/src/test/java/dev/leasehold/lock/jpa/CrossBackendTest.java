package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.tck.Crashes;
import dev.leasehold.lock.testing.DatabaseKind;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A lock-jdbc manager and a JPA manager on the same table exclude each other, see each other's leases with the same
 * expiry, and hand out strictly increasing tokens across both, on each database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossBackendTest {

    private final TestEnv.PerKind envs = new TestEnv.PerKind("cross_backend");

    @AfterAll
    void close() {
        envs.close();
    }

    private static JdbcLockManager jdbc(TestEnv env) {
        LockSettings settings = env.settings().build();
        return env.track(JdbcLockManager.create(env.pool, settings));
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void jdbcAndJpaManagersExcludeEachOtherAndTokensKeepGrowing(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JdbcLockManager jdbc = jdbc(env);
        JpaLockManager jpa = env.manager();
        assertThat(jpa.table()).isEqualTo(jdbc.table());
        String name = "cross-" + UUID.randomUUID();
        long last = 0;
        List<LockManager> order = List.of(jpa, jdbc, jdbc, jpa, jpa, jdbc);
        for (LockManager holder : order) {
            LockManager other = holder == jpa ? jdbc : jpa;
            Lease lease = holder.lock(name).tryAcquire().orElseThrow();
            assertThat(lease.token()).isGreaterThan(last);
            last = lease.token();
            assertThat(other.lock(name).tryAcquire())
                    .as("the other backend while held")
                    .isEmpty();
            LockInfo seen = other.inspect(name).orElseThrow();
            assertThat(seen.ownerId()).isEqualTo(holder.ownerId());
            assertThat(seen.token()).isEqualTo(lease.token());
            // The same instant through both backends: no time zone slipped in (the JVM runs far from UTC).
            assertThat(seen.expiresAt()).isEqualTo(lease.expiresAt());
            assertThat(holder.inspect(name).orElseThrow().expiresAt()).isEqualTo(seen.expiresAt());
            lease.release();
            assertThat(other.inspect(name)).isEmpty();
        }
        assertThat(last).isEqualTo(order.size());
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aNameFirstUsedThroughJdbcContinuesThroughJpa(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JdbcLockManager jdbc = jdbc(env);
        JpaLockManager jpa = env.manager();
        String name = "cross-first-jdbc-" + UUID.randomUUID();
        Lease first = jdbc.lock(name).tryAcquire().orElseThrow();
        first.release();
        Lease second = jpa.lock(name).tryAcquire().orElseThrow();
        assertThat(second.token()).isEqualTo(first.token() + 1);
        second.release();
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aLeaseOfOneBackendIsTakenOverByTheOtherAfterItExpires(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JdbcLockManager jdbc = jdbc(env);
        JpaLockManager jpa = env.manager();
        String name = "cross-expiry-" + UUID.randomUUID();
        Lease crashed = jpa.lock(name).tryAcquire().orElseThrow();
        Crashes.abandon(jpa);
        Lease taken = jdbc.lock(name).acquire(env.times.leaseTime().plus(env.slack()));
        assertThat(taken.token()).isGreaterThan(crashed.token());
        taken.release();
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aSchemaQualifiedTableIsTheSameThroughBothBackends(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        String schema = switch (kind) {
            case POSTGRESQL -> "public";
            case H2 -> "PUBLIC";
            case MARIADB -> "test";
        };
        String prefix = env.db.uniquePrefix("cross_schema");
        EntityManagerFactory emf =
                TestUnits.unit("cross-schema", env.pool, prefix, Map.of(JpaLockManager.SCHEMA_PROPERTY, schema));
        try {
            LockSettings settings = LockSettings.builder()
                    .schema(schema)
                    .tablePrefix(prefix)
                    .retry(RetryOptions.none())
                    .build();
            try (JpaLockManager jpa = JpaLockManager.create(emf, settings);
                    JdbcLockManager jdbc = JdbcLockManager.create(env.pool, settings)) {
                assertThat(jpa.table()).isEqualTo(jdbc.table());
                String name = "cross-schema-" + UUID.randomUUID();
                Lease lease = jpa.lock(name).tryAcquire().orElseThrow();
                assertThat(jdbc.lock(name).tryAcquire()).isEmpty();
                lease.release();
                Lease next = jdbc.lock(name).tryAcquire().orElseThrow();
                assertThat(next.token()).isGreaterThan(lease.token());
                next.release();
            }
        } finally {
            emf.close();
            env.db.dropTablesWithPrefix(prefix);
        }
    }
}
