package dev.leasehold.lock.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/** Reads the tables of the current schema from {@code information_schema}, independently of the code under test. */
final class Catalog {

    private Catalog() {}

    /** The names (in lower case) of the tables of the current schema that start with {@code start}. */
    static List<String> tablesStartingWith(DataSource dataSource, DatabaseKind kind, String start) throws SQLException {
        String currentSchema = switch (kind) {
            case POSTGRESQL -> "SELECT current_schema()";
            case MARIADB -> "SELECT DATABASE()";
            case H2 -> "SELECT CURRENT_SCHEMA";
        };
        List<String> names = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            String schema;
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(currentSchema)) {
                rows.next();
                schema = rows.getString(1);
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = ?")) {
                statement.setString(1, schema);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        String name = rows.getString(1).toLowerCase(Locale.ROOT);
                        if (name.startsWith(start)) {
                            names.add(name);
                        }
                    }
                }
            }
        }
        return names;
    }
}
