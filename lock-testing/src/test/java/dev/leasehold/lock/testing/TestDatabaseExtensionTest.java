package dev.leasehold.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link TestDatabaseExtension} hands out the databases {@link UseDatabase} names, from {@link TestDatabases}. */
@ExtendWith(TestDatabaseExtension.class)
@UseDatabase(DatabaseKind.H2)
class TestDatabaseExtensionTest {

    private static TestDatabase fromBeforeAll;
    private final TestDatabase fromConstructor;
    private TestDatabase fromBeforeEach;

    TestDatabaseExtensionTest(TestDatabase db) {
        this.fromConstructor = db;
    }

    @BeforeAll
    static void beforeAll(TestDatabase db) {
        fromBeforeAll = db;
    }

    @BeforeEach
    void beforeEach(TestDatabase db) {
        fromBeforeEach = db;
    }

    @Test
    void theClassAnnotationNamesTheDatabaseOfEveryParameter(TestDatabase db) throws Exception {
        assertThat(db).isSameAs(TestDatabases.get(DatabaseKind.H2));
        assertThat(fromBeforeAll).isSameAs(db);
        assertThat(fromConstructor).isSameAs(db);
        assertThat(fromBeforeEach).isSameAs(db);
        try (Connection connection = db.dataSource().getConnection()) {
            assertThat(connection.isValid(1)).isTrue();
        }
    }

    @Test
    @UseDatabase(DatabaseKind.POSTGRESQL)
    void aMethodAnnotationWins(TestDatabase db) {
        assertThat(db.kind()).isEqualTo(DatabaseKind.POSTGRESQL);
        assertThat(db).isSameAs(TestDatabases.get(DatabaseKind.POSTGRESQL));
    }

    @Nested
    class NestedClasses {

        @Test
        void getTheDatabaseOfTheirEnclosingClass(TestDatabase db) {
            assertThat(db.kind()).isEqualTo(DatabaseKind.H2);
        }
    }

    @Nested
    @UseDatabase(DatabaseKind.MARIADB)
    class NestedClassesWithTheirOwnAnnotation {

        @Test
        void getTheirOwn(TestDatabase db) {
            assertThat(db.kind()).isEqualTo(DatabaseKind.MARIADB);
            assertThat(db.jdbcUrl()).contains("useAffectedRows=true");
        }
    }
}
