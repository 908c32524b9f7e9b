package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A web application with the actuator and Leasehold, for {@code @SpringBootTest(webEnvironment = RANDOM_PORT)}, and a
 * plain HTTP client for its endpoints. Its test class gives it a database with {@link #database}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ActuatorApp {

    private static final String KIND_PROPERTY = "test.leasehold.database";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The properties of a DataSource over the test database of {@code kind}, a table prefix of the test class's own
     * (from {@code hint}), a short lease and the endpoints exposed over HTTP with their details.
     */
    static void database(DynamicPropertyRegistry registry, DatabaseKind kind, String hint) {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix(hint);
        registry.add(KIND_PROPERTY, kind::name);
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", () -> db.user() == null ? "" : db.user());
        registry.add("spring.datasource.password", () -> db.password() == null ? "" : db.password());
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "4");
        registry.add("leasehold.table-prefix", () -> prefix);
        // lock-advisory is on this module's test class path too, and accepts PostgreSQL as well.
        registry.add("leasehold.backend", () -> "jdbc");
        registry.add("leasehold.lease-time", () -> "2s");
        registry.add("management.endpoints.web.exposure.include", () -> "health,leasehold");
        registry.add("management.endpoint.health.show-details", () -> "always");
    }

    /**
     * Drops the test's tables when the context closes: after {@code LeaseholdLifecycle} has closed the lock managers,
     * which it does before any bean is destroyed.
     */
    @Bean
    DisposableBean leaseholdTestTables(Environment environment) {
        DatabaseKind kind = DatabaseKind.valueOf(environment.getRequiredProperty(KIND_PROPERTY));
        String prefix = environment.getRequiredProperty("leasehold.table-prefix");
        return () -> TestDatabases.get(kind).dropTablesWithPrefix(prefix);
    }

    /** The response to a request, with its body as JSON (null when empty). */
    record Response(int status, JsonNode body) {}

    static Response get(int port, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(port, path)).GET().build());
    }

    static Response post(int port, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(port, path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        return new Response(response.statusCode(), body == null || body.isBlank() ? null : JSON.readTree(body));
    }
}
