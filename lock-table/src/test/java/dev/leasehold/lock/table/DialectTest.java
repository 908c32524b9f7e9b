package dev.leasehold.lock.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each database's DDL ships once, names and quotes the table as every backend does, and executes without comments. */
class DialectTest {

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void theDdlNamesTheQuotedQualifiedTable(Dialect dialect) {
        String table = dialect.qualifiedTable("s", "p_");
        assertThat(table).isEqualTo(dialect.quote("s") + "." + dialect.quote("p_distributed_locks"));
        assertThat(dialect.qualifiedTable(null, "")).isEqualTo(dialect.quote("distributed_locks"));
        assertThat(dialect.ddl("s", "p_"))
                .contains("CREATE TABLE IF NOT EXISTS " + table + " (")
                .contains("lock_name")
                .contains("expires_at")
                .contains("--");
        assertThat(dialect.executableDdl("t"))
                .startsWith("CREATE TABLE IF NOT EXISTS t (")
                .doesNotContain("--");
        assertThat(Dialect.class.getResource(dialect.ddlResource())).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void theDdlAndTheMigrationGiveWakeUntilTheSameType(Dialect dialect) {
        String ddl = dialect.ddlFor("t");
        assertThat(dialect.executableDdl("t")).contains(Dialect.WAKE_UNTIL + "  " + dialect.timeType() + "\n");
        assertThat(dialect.addWakeUntil("t"))
                .isEqualTo("ALTER TABLE t ADD COLUMN " + Dialect.WAKE_UNTIL + " " + dialect.timeType());
        assertThat(ddl).as("the migration, in the DDL's comment").contains("--   " + dialect.addWakeUntil("t") + ";");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void schemaAndPrefixAreCheckedBeforeAnyQuoting(Dialect dialect) {
        assertThatThrownBy(() -> dialect.qualifiedTable("bad schema", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema");
        assertThatThrownBy(() -> dialect.qualifiedTable(null, "p\"; DROP TABLE x; --"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tablePrefix");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void productNamesAsDriversReportThem(Dialect dialect) {
        String product = switch (dialect) {
            case POSTGRESQL -> "PostgreSQL";
            case H2 -> "H2";
            case MARIADB -> "MariaDB";
        };
        assertThat(Dialect.of(product)).contains(dialect);
        assertThat(Dialect.of("Oracle")).isEmpty();
    }
}
