package dev.leasehold.lock.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Says which database {@link TestDatabaseExtension} gives to the {@link TestDatabase} parameters of a test class (its
 * subclasses and {@code @Nested} classes too) or of one test method. The annotation on a method wins over the one on
 * its class. A missing database aborts (or, with {@code LEASEHOLD_TEST_REQUIRE_DB=true}, fails) the whole class when
 * the class is annotated, or the one test when its method is.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface UseDatabase {

    /** The kind of database the tests use. */
    DatabaseKind value();
}
