package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A web application with the actuator and Leasehold over H2 on a random port, and a plain HTTP client for its endpoints.
 * Started with {@link SpringApplicationBuilder} rather than {@code @SpringBootTest}: Spring Framework 7's JUnit
 * extension needs a newer JUnit than the build's.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ActuatorApp {

    static final TestDatabase DB = TestDatabases.get(DatabaseKind.H2);

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Starts the application with a DataSource over the H2 database, a table prefix of the test's own, the endpoints
     * exposed over HTTP and {@code extra} properties.
     */
    static ConfigurableApplicationContext start(String prefix, String... extra) {
        List<String> properties = new ArrayList<>(List.of(
                "server.port=0",
                "spring.datasource.url=" + DB.jdbcUrl(),
                "spring.datasource.username=" + DB.user(),
                "spring.datasource.password=" + (DB.password() == null ? "" : DB.password()),
                "leasehold.table-prefix=" + prefix,
                "leasehold.lease-time=2s",
                "management.endpoints.web.exposure.include=health,leasehold",
                "management.endpoint.health.show-details=always"));
        properties.addAll(List.of(extra));
        return new SpringApplicationBuilder(ActuatorApp.class)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    /** The port the application's web server listens on. */
    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
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
