package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.advisory.internal.AdvisoryLeaseStore;
import dev.leasehold.lock.advisory.internal.ConnectionSource;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The acquire of a name whose row the store has seen is the update alone, in one statement; a name never seen, or one
 * whose row is gone (purged, or deleted by hand), takes the statement that can insert the row, with a token from the
 * floor. Counted on the SQL the store prepares.
 */
class KnownNameTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("KnownNameTest");
    private static final Duration LEASE = Duration.ofSeconds(30);

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void aKnownNameTakesTheUpdateAloneAndAGoneRowTheInsertWithATokenAboveTheFloor() throws Exception {
        List<String> acquires = new CopyOnWriteArrayList<>();
        String name = "known-" + System.nanoTime();
        try (TestPool pool = DB.newPool("adv-known", 4);
                AdvisoryLeaseStore store = AdvisoryLeaseStore.open(
                        ConnectionSource.of(recordingAcquires(pool, acquires)),
                        Jdbi.create(pool),
                        LockSettings.builder().tablePrefix(PREFIX).build(),
                        AdvisoryOptions.builder().build())) {
            LeaseGrant first = store.tryAcquire(name, "me", LEASE).orElseThrow();
            store.release(name, "me", first.token());
            assertThat(acquires).as("a name never seen").hasSize(1);
            assertThat(acquires.get(0)).contains("INSERT");

            acquires.clear();
            LeaseGrant second = store.tryAcquire(name, "me", LEASE).orElseThrow();
            store.release(name, "me", second.token());
            assertThat(second.token()).isEqualTo(first.token() + 1);
            assertThat(acquires).as("a known name: one statement").hasSize(1);
            assertThat(acquires.get(0)).doesNotContain("INSERT");

            // As a purge does: raise the floor above the row's token, then delete the row.
            long floor = second.token() + 100;
            execute("UPDATE " + store.table() + " SET token = " + floor + " WHERE lock_name = ''");
            execute("DELETE FROM " + store.table() + " WHERE lock_name = '" + name + "'");
            acquires.clear();
            LeaseGrant afterPurge = store.tryAcquire(name, "me", LEASE).orElseThrow();
            assertThat(afterPurge.token()).isEqualTo(floor + 1);
            assertThat(acquires).as("the update found no row, then the insert").hasSize(2);
            assertThat(acquires.get(0)).doesNotContain("INSERT");
            assertThat(acquires.get(1)).contains("INSERT");
            store.release(name, "me", afterPurge.token());
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DB.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        }
    }

    /** The pool, recording the SQL of every acquire statement (the try-lock of a row's key) prepared on its connections. */
    private static DataSource recordingAcquires(DataSource pool, List<String> acquires) {
        InvocationHandler onDataSource = (proxy, method, args) -> {
            Object answer = invoke(pool, method, args);
            return answer instanceof Connection c ? recording(c, acquires) : answer;
        };
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, onDataSource);
    }

    private static Connection recording(Connection c, List<String> acquires) {
        InvocationHandler onConnection = (proxy, method, args) -> {
            if (method.getName().equals("prepareStatement")
                    && args[0] instanceof String sql
                    && sql.contains("pg_try_advisory_lock(p.k)")) {
                acquires.add(sql);
            }
            return invoke(c, method, args);
        };
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, onConnection);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
