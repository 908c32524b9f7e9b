package dev.leasehold.examples.scheduled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabaseExtension;
import dev.leasehold.lock.testing.UseDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the example started together on one PostgreSQL database: every invoice is paid by exactly one of
 * them, and every summary slot is written by exactly one. Runs are recorded in a table without a unique key, so a
 * duplicate would show. Two application contexts in one JVM, each with its own pool and lock manager, as two processes.
 */
@ExtendWith(TestDatabaseExtension.class)
@UseDatabase(DatabaseKind.POSTGRESQL)
class TwoInstancesTest {

    private static final int INVOICES_PER_INSTANCE = 15;

    private TestDatabase db;
    private String prefix;
    private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

    @BeforeEach
    void database(TestDatabase database) {
        db = database;
        prefix = db.uniquePrefix("example");
    }

    @AfterEach
    void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
        db.dropTablesWithPrefix(prefix);
    }

    private ConfigurableApplicationContext start(String name) {
        // As command-line arguments, which win over the application's own application.properties.
        return new SpringApplicationBuilder(ExampleApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.application.name=" + name,
                        "--spring.datasource.url=" + db.jdbcUrl(),
                        "--spring.datasource.username=" + (db.user() == null ? "" : db.user()),
                        "--spring.datasource.password=" + (db.password() == null ? "" : db.password()),
                        "--spring.datasource.hikari.maximum-pool-size=4",
                        "--leasehold.table-prefix=" + prefix,
                        "--example.table-prefix=" + prefix,
                        "--example.invoices-per-start=" + INVOICES_PER_INSTANCE,
                        "--example.invoice-interval=50ms",
                        "--example.summary-cron=* * * * * *");
    }

    @Test
    void eachInvoiceAndEachSummarySlotRunsOnce() throws Exception {
        CompletableFuture<ConfigurableApplicationContext> a = CompletableFuture.supplyAsync(() -> start("instance-a"));
        CompletableFuture<ConfigurableApplicationContext> b = CompletableFuture.supplyAsync(() -> start("instance-b"));
        instances.add(a.join());
        instances.add(b.join());

        await().atMost(Duration.ofSeconds(60))
                .until(() -> count("SELECT COUNT(*) FROM " + prefix + "invoices WHERE status = 'PAID'")
                        == 2 * INVOICES_PER_INSTANCE);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> count("SELECT COUNT(DISTINCT item) FROM " + prefix + "runs WHERE job = 'summary'") >= 3);

        Map<String, Integer> invoiceRuns = runsPerItem("invoice");
        assertThat(invoiceRuns).hasSize(2 * INVOICES_PER_INSTANCE);
        assertThat(invoiceRuns)
                .allSatisfy((item, runs) ->
                        assertThat(runs).as("runs of invoice %s", item).isEqualTo(1));
        assertThat(runsPerItem("summary"))
                .allSatisfy((slot, runs) ->
                        assertThat(runs).as("runs of the summary of %s", slot).isEqualTo(1));
    }

    private Map<String, Integer> runsPerItem(String job) throws Exception {
        Map<String, Integer> runs = new HashMap<>();
        try (Connection connection = db.connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT item, COUNT(*) FROM " + prefix + "runs WHERE job = '" + job + "' GROUP BY item")) {
            while (rows.next()) {
                runs.put(rows.getString(1), rows.getInt(2));
            }
        }
        return runs;
    }

    private long count(String sql) throws Exception {
        try (Connection connection = db.connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
