package dev.leasehold.lock.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Gives {@link TestDatabase} parameters to test, lifecycle and constructor methods, from {@link TestDatabases#get}
 * with the kind named by {@link UseDatabase}:
 *
 * <pre>{@code
 * @ExtendWith(TestDatabaseExtension.class)
 * @UseDatabase(DatabaseKind.POSTGRESQL)
 * class JdbcLeaseStoreTest {
 *     @Test
 *     void works(TestDatabase db) { ... }
 * }
 * }</pre>
 *
 * <p>The database is also looked up before all tests of an annotated class and before each annotated test method, so
 * that a missing database aborts (or fails, with {@code LEASEHOLD_TEST_REQUIRE_DB=true}) the class or the test: JUnit
 * would otherwise report an abort thrown while resolving a parameter as an error.
 *
 * <p>This class is thread-safe: it keeps no state.
 */
public final class TestDatabaseExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    /** Creates the extension; JUnit calls it through {@code @ExtendWith}. */
    public TestDatabaseExtension() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        classKind(context).ifPresent(TestDatabases::get);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getTestMethod().flatMap(TestDatabaseExtension::kindOf).ifPresent(TestDatabases::get);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public TestDatabase resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Optional<DatabaseKind> kind = kindOf(parameterContext.getDeclaringExecutable())
                .or(() -> extensionContext.getTestMethod().flatMap(TestDatabaseExtension::kindOf))
                .or(() -> classKind(extensionContext));
        return TestDatabases.get(kind.orElseThrow(() -> new ParameterResolutionException("No @UseDatabase on "
                + parameterContext.getDeclaringExecutable() + " nor on its test class: annotate the class with"
                + " @UseDatabase(DatabaseKind.POSTGRESQL) (or MARIADB, H2) to say which database it gets")));
    }

    private static Optional<DatabaseKind> classKind(ExtensionContext context) {
        for (Class<?> type = context.getTestClass().orElse(null); type != null; type = type.getEnclosingClass()) {
            Optional<DatabaseKind> kind = kindOf(type);
            if (kind.isPresent()) {
                return kind;
            }
        }
        return Optional.empty();
    }

    private static Optional<DatabaseKind> kindOf(AnnotatedElement element) {
        return AnnotationSupport.findAnnotation(element, UseDatabase.class).map(UseDatabase::value);
    }
}
