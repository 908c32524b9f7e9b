package dev.leasehold.lock.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Other libraries, as their documentation sets them up: ShedLock's {@code JdbcLockProvider} and {@code
 * JdbcTemplateLockProvider} with {@code usingDbTime()}, and Spring Integration's {@code JdbcLockRegistry}.
 */
final class PeerClients {

    /** ShedLock's lockAtMostFor: the same lease time as every other variant. */
    private static final Duration LOCK_AT_MOST_FOR = LeaseholdClients.LEASE_TIME;

    private PeerClients() {}

    /** ShedLock's table, as its README gives it. */
    static String shedLockDdl(DbKind kind, String table) {
        return switch (kind) {
            case POSTGRESQL ->
                "CREATE TABLE " + table + " (name VARCHAR(64) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                        + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))";
            case MARIADB ->
                "CREATE TABLE " + table + " (name VARCHAR(64) NOT NULL, lock_until TIMESTAMP(3) NOT NULL,"
                        + " locked_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), locked_by VARCHAR(255) NOT NULL,"
                        + " PRIMARY KEY (name))";
            case H2 ->
                "CREATE TABLE " + table + " (name VARCHAR(64) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                        + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))";
        };
    }

    /** ShedLock {@code JdbcLockProvider}: plain JDBC, the client's clock. */
    static Variant shedLockJdbc() {
        return new Variant(
                "shedlock-jdbc",
                "ShedLock 6.9.2 JdbcLockProvider",
                Variant.Role.PEER,
                true,
                false,
                new ShedLockFactory("shedlock_plain") {
                    @Override
                    LockProvider provider(Proc proc) {
                        return shedLockProvider(proc.dataSource(), table);
                    }
                });
    }

    /** ShedLock's {@code JdbcLockProvider} on {@code table}, as its README sets it up. */
    static LockProvider shedLockProvider(DataSource dataSource, String table) {
        return new JdbcLockProvider(dataSource, table);
    }

    /** ShedLock's {@code JdbcTemplateLockProvider} on {@code table} with {@code usingDbTime()}. */
    static LockProvider shedLockTemplateProvider(DataSource dataSource, String table) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource))
                .withTableName(table)
                .usingDbTime()
                .build());
    }

    /** ShedLock {@code JdbcTemplateLockProvider} with {@code usingDbTime()}: the database's clock. */
    static Variant shedLockTemplate() {
        return new Variant(
                "shedlock-template-dbtime",
                "ShedLock 6.9.2 JdbcTemplateLockProvider usingDbTime()",
                Variant.Role.PEER,
                true,
                false,
                new ShedLockFactory("shedlock_tpl") {
                    @Override
                    LockProvider provider(Proc proc) {
                        return shedLockTemplateProvider(proc.dataSource(), table);
                    }
                });
    }

    private abstract static class ShedLockFactory implements Variant.Factory {
        private final String suffix;
        String table;

        ShedLockFactory(String suffix) {
            this.suffix = suffix;
        }

        abstract LockProvider provider(Proc proc);

        @Override
        public void setUp(Database database) throws Exception {
            table = database.prefix() + suffix;
            database.execute(shedLockDdl(database.kind(), table));
        }

        @Override
        public LockClient open(Proc proc) {
            LockProvider provider = provider(proc);
            return new LockClient() {
                @Override
                public Held tryAcquire(String name) {
                    // ShedLock's own executors take the time from ClockProvider (whole milliseconds); a finer
                    // Instant.now()
                    // would make the next lock of the name within the same millisecond fail.
                    Optional<SimpleLock> lock = provider.lock(
                            new LockConfiguration(ClockProvider.now(), name, LOCK_AT_MOST_FOR, Duration.ZERO));
                    return lock.<Held>map(l -> l::unlock).orElse(null);
                }

                @Override
                public void close() {}
            };
        }
    }

    /**
     * Spring Integration's {@code JdbcLockRegistry} over a {@code DefaultLockRepository} with its own table (the
     * {@code INT_LOCK} DDL from the Spring Integration jar, renamed with the run's prefix), set up as a Spring
     * container would: prefix, transaction manager, then its initialisation callbacks.
     */
    static Variant springIntegration() {
        return new Variant(
                "spring-integration",
                "Spring Integration 7.1.2 JdbcLockRegistry",
                Variant.Role.PEER,
                true,
                true,
                new Variant.Factory() {
                    private String prefix;

                    @Override
                    public void setUp(Database database) throws Exception {
                        prefix = database.prefix() + "si_";
                        database.execute(springIntegrationDdl(database.kind(), prefix));
                    }

                    @Override
                    public LockClient open(Proc proc) {
                        DefaultLockRepository repository = new DefaultLockRepository(proc.dataSource());
                        repository.setPrefix(prefix);
                        repository.setTransactionManager(new DataSourceTransactionManager(proc.dataSource()));
                        repository.afterPropertiesSet();
                        repository.afterSingletonsInstantiated();
                        repository.start();
                        JdbcLockRegistry registry = new JdbcLockRegistry(repository, LeaseholdClients.LEASE_TIME);
                        return new LockClient() {
                            @Override
                            public Held tryAcquire(String name) {
                                Lock lock = registry.obtain(name);
                                return lock.tryLock() ? lock::unlock : null;
                            }

                            @Override
                            public Held acquire(String name, Duration maxWait) throws InterruptedException {
                                Lock lock = registry.obtain(name);
                                return lock.tryLock(maxWait.toMillis(), TimeUnit.MILLISECONDS) ? lock::unlock : null;
                            }

                            @Override
                            public void close() {
                                repository.stop();
                                repository.close();
                            }
                        };
                    }
                });
    }

    private static final Pattern INT_LOCK = Pattern.compile("CREATE TABLE INT_LOCK\\b[^;]*;", Pattern.DOTALL);

    /** The {@code INT_LOCK} table's DDL from the Spring Integration jar, with {@code INT_} replaced by the prefix. */
    static String springIntegrationDdl(DbKind kind, String prefix) throws IOException {
        String resource = "/org/springframework/integration/jdbc/schema-"
                + switch (kind) {
                    case POSTGRESQL -> "postgresql";
                    case MARIADB -> "mysql";
                    case H2 -> "h2";
                }
                + ".sql";
        String script;
        try (InputStream in = DefaultLockRepository.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the Spring Integration jar has no " + resource);
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = INT_LOCK.matcher(script);
        if (!m.find()) {
            throw new IllegalStateException(resource + " has no CREATE TABLE INT_LOCK statement");
        }
        String ddl = m.group();
        return ddl.substring(0, ddl.length() - 1).replace("INT_", prefix);
    }
}
