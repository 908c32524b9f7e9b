package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.testing.DatabaseKind;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input is rejected with the exception the contract names, saying which argument or property is wrong, before any
 * SQL is sent (the unit counts its statements).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private TestEnv env;
    private JpaLockManager manager;

    @BeforeAll
    void open() {
        env = TestEnv.open(DatabaseKind.H2, "bad_input");
        manager = env.manager();
    }

    @AfterAll
    void close() {
        env.close();
    }

    private void assertNoSql(Runnable action) {
        int before = env.statements.get();
        action.run();
        assertThat(env.statements.get()).as("SQL statements sent").isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "a\u0000b", "\ud800"})
    void badLockNamesAreRejectedBeforeAnySql(String name) {
        assertNoSql(() -> {
            assertThatThrownBy(() -> manager.lock(name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
            EntityManager em = env.begin();
            try {
                assertThatThrownBy(() -> manager.rowLocks().lock(em, name, Wait.NOWAIT))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("name");
            } finally {
                TestEnv.end(em);
            }
        });
    }

    @Test
    void nullArgumentsAreRejectedNamingTheArgument() {
        assertNoSql(() -> {
            assertThatThrownBy(() -> manager.lock(null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
            assertThatThrownBy(() -> manager.lock("x".repeat(256)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
            assertThatThrownBy(() ->
                            JpaLockManager.create(null, LockSettings.builder().build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("entityManagerFactory");
            assertThatThrownBy(() -> JpaLockManager.create(env.emf, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("settings");
            assertThatThrownBy(() -> JpaRowLocks.of(null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("entityManagerFactory");
            EntityManager em = env.begin();
            try {
                assertThatThrownBy(() -> manager.rowLocks().lock(null, "x", Wait.NOWAIT))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("em");
                assertThatThrownBy(() -> manager.rowLocks().lock(em, "x", null))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("wait");
                assertThatThrownBy(() -> manager.verifyHeld(em, null))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("lease");
            } finally {
                TestEnv.end(em);
            }
        });
    }

    @Test
    void waitTimeoutsMustBeZeroOrPositiveAndAtMostADay() {
        assertThatThrownBy(() -> Wait.timeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> Wait.timeout(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> Wait.timeout(Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThat(Wait.timeout(Duration.ZERO)).isSameAs(Wait.NOWAIT);
        assertThat(Wait.timeout(Duration.ofMillis(300)).timeout()).contains(Duration.ofMillis(300));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x;drop", "a b", "1abc", "a.b", "a\"b", "a--b"})
    void badSchemasAndPrefixesInSettingsAreRejectedNamingThem(String bad) {
        assertThatThrownBy(() -> LockSettings.builder().schema(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema");
        assertThatThrownBy(() -> LockSettings.builder().tablePrefix(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tablePrefix");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x;drop", "a b", "1abc", "a.b"})
    void badSchemasAndPrefixesInUnitPropertiesFailTheBootNamingTheProperty(String bad) {
        assertThatThrownBy(() -> TestUnits.unit("bad-prefix", env.pool, bad, Map.of()))
                .hasStackTraceContaining(JpaLockManager.TABLE_PREFIX_PROPERTY);
        assertThatThrownBy(
                        () -> TestUnits.unit("bad-schema", env.pool, "", Map.of(JpaLockManager.SCHEMA_PROPERTY, bad)))
                .hasStackTraceContaining(JpaLockManager.SCHEMA_PROPERTY);
    }

    @Test
    void settingsNamingAnotherTableThanTheUnitMapsSayWhichPropertyToSet() {
        assertNoSql(() -> assertThatThrownBy(() -> JpaLockManager.create(
                        env.emf, LockSettings.builder().tablePrefix("other_").build()))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining(JpaLockManager.TABLE_PREFIX_PROPERTY + "=other_")
                .hasMessageContaining(env.prefix + "distributed_locks"));
        assertNoSql(() -> assertThatThrownBy(() -> JpaLockManager.create(
                        env.emf,
                        LockSettings.builder()
                                .tablePrefix(env.prefix)
                                .schema("elsewhere")
                                .build()))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining(JpaLockManager.SCHEMA_PROPERTY + "=elsewhere"));
    }

    @Test
    void aClosedEntityManagerFactoryIsAConfigurationError() {
        EntityManagerFactory closed = TestUnits.unit("closed", env.pool, env.prefix, Map.of());
        closed.close();
        assertThatThrownBy(() -> JpaLockManager.create(closed, env.settings().build()))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> JpaRowLocks.of(closed))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> Locks.builder()
                        .entityManagerFactory(closed)
                        .tablePrefix(env.prefix)
                        .build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void anEntityManagerFactoryIsRequired() {
        assertThatThrownBy(() -> Locks.builder().entityManagerFactory("not a factory"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entityManagerFactory");
        assertThatThrownBy(() -> JpaLockManager.create(LockSettings.builder().build()))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("EntityManagerFactory");
    }

    @Test
    void verifyHeldNeedsATransactionAndALeaseOfThisManager() {
        JpaLockManager other = env.manager();
        Lease lease = manager.lock("verify-bad-input").tryAcquire().orElseThrow();
        try {
            EntityManager outside = env.emf.createEntityManager();
            try {
                assertNoSql(() -> assertThatThrownBy(() -> manager.verifyHeld(outside, lease))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("inside the transaction"));
            } finally {
                outside.close();
            }
            EntityManager em = env.begin();
            try {
                assertNoSql(() -> assertThatThrownBy(() -> other.verifyHeld(em, lease))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("not to this manager"));
            } finally {
                TestEnv.end(em);
            }
        } finally {
            lease.release();
        }
    }

    @Test
    void aMissingTableWithCreationOffSaysWhatToRun() {
        String prefix = env.db.uniquePrefix("bad_input_missing");
        EntityManagerFactory emf = TestUnits.unit("missing", env.pool, prefix, Map.of());
        try {
            assertThatThrownBy(() -> JpaLockManager.create(
                            emf,
                            LockSettings.builder()
                                    .tablePrefix(prefix)
                                    .createTableIfMissing(false)
                                    .build()))
                    .isInstanceOf(LockConfigurationException.class)
                    .hasMessageContaining("is missing and createTableIfMissing is off")
                    .hasMessageContaining("CREATE TABLE IF NOT EXISTS \"" + prefix + "distributed_locks\"");
        } finally {
            emf.close();
        }
    }
}
