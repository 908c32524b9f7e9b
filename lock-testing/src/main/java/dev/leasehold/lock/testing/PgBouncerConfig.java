package dev.leasehold.lock.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration of an {@link OwnedPgBouncer}: {@code pgbouncer.ini} and the {@code auth_file} it names, written
 * into the PgBouncer's directory. Clients log in without a password ({@code auth_type = trust}, the upstream user
 * listed in the {@code auth_file}); PgBouncer logs in to PostgreSQL as that user, who is also its admin user.
 *
 * <p>This record is immutable and thread-safe.
 *
 * @param host the upstream PostgreSQL's host
 * @param port the upstream PostgreSQL's port
 * @param dbname the database, the same name through PgBouncer
 * @param user the upstream user
 * @param password the upstream password, empty for none
 */
record PgBouncerConfig(String host, int port, String dbname, String user, String password) {

    PgBouncerConfig {
        connValue(dbname);
        connValue(user);
        if (!password.isEmpty()) {
            connValue(password);
        }
    }

    /**
     * The configuration for {@code upstream}, whose URL named {@code host}, {@code port} (null for 5432) and {@code
     * dbname}; a missing user is {@code postgres}, a missing password none.
     *
     * @throws IllegalArgumentException if the database, user or password would need quoting in PgBouncer's connection
     *     string
     */
    static PgBouncerConfig of(TestDatabase upstream, String host, String port, String dbname) {
        return new PgBouncerConfig(
                host,
                port == null ? 5432 : Integer.parseInt(port),
                dbname,
                upstream.user() != null ? upstream.user() : "postgres",
                upstream.password() != null ? upstream.password() : "");
    }

    /** Writes the files for a PgBouncer in {@code mode} on 127.0.0.1:{@code listenPort}; returns the ini file. */
    Path write(Path directory, OwnedPgBouncer.PoolMode mode, int listenPort) throws IOException {
        Path users = directory.resolve("users.txt");
        Files.writeString(users, quoted(user) + " " + quoted(password) + "\n", StandardCharsets.UTF_8);
        String server = "host=" + host + " port=" + port + " dbname=" + dbname + " user=" + user
                + (password.isEmpty() ? "" : " password=" + password);
        String ini = String.join(
                "\n",
                "[databases]",
                dbname + " = " + server,
                "",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + listenPort,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + users,
                "admin_users = " + user,
                "pool_mode = " + mode.setting(),
                "default_pool_size = " + OwnedPgBouncer.SERVER_POOL_SIZE,
                "max_db_connections = " + OwnedPgBouncer.SERVER_POOL_SIZE,
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                "max_client_conn = 500",
                "query_wait_timeout = " + OwnedPgBouncer.QUERY_WAIT_SECONDS,
                "server_login_retry = 1",
                "ignore_startup_parameters = extra_float_digits",
                "log_connections = 0",
                "log_disconnections = 0",
                "pidfile = " + directory.resolve("pgbouncer.pid"),
                "");
        Path config = directory.resolve("pgbouncer.ini");
        Files.writeString(config, ini, StandardCharsets.UTF_8);
        return config;
    }

    /** Checks a value of PgBouncer's connection string, which this configuration does not quote. */
    private static void connValue(String value) {
        if (!value.matches("[^\\s'\"\\\\=]+")) {
            throw new IllegalArgumentException("upstream's database, user or password has spaces, quotes, backslashes"
                    + " or '=', which this test PgBouncer does not quote: " + value.replaceAll(".", "*"));
        }
    }

    private static String quoted(String value) {
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /** Masks the password. */
    @Override
    public String toString() {
        return "PgBouncerConfig[" + user + "@" + host + ":" + port + "/" + dbname + "]";
    }
}
