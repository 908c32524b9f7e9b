package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.jdbc.JdbcDialect;
import dev.leasehold.lock.jpa.internal.SqlDialect;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The JPA backend ships the DDL of lock-jdbc unchanged, and names and quotes the table the same way. */
class DdlTest {

    @ParameterizedTest
    @EnumSource(SqlDialect.class)
    void theDdlAndTheTableNameAreLockJdbcs(SqlDialect dialect) {
        JdbcDialect jdbc = JdbcDialect.valueOf(dialect.name());
        assertThat(dialect.qualifiedTable("s", "p_")).isEqualTo(jdbc.qualifiedTable("s", "p_"));
        assertThat(dialect.qualifiedTable(null, "")).isEqualTo(jdbc.qualifiedTable(null, ""));
        assertThat(dialect.ddl(dialect.qualifiedTable("s", "p_"))).isEqualTo(jdbc.ddl("s", "p_"));
        assertThat(dialect.executableDdl("t"))
                .startsWith("CREATE TABLE IF NOT EXISTS t (")
                .doesNotContain("--");
    }
}
