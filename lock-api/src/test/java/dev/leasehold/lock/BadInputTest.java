package dev.leasehold.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kind of bad input the API checks: each case is rejected with an {@link IllegalArgumentException} whose message
 * names the argument. (That no store is touched is checked by the TCK's rule 1.1 against each backend.)
 */
class BadInputTest {

    static Stream<Arguments> badNames() {
        return Stream.of(
                Arguments.of("null", null),
                Arguments.of("empty", ""),
                Arguments.of("blank", "   "),
                Arguments.of("whitespace only", "\t\n"),
                Arguments.of("256 characters", "x".repeat(256)),
                Arguments.of("NUL", "a\0b"),
                Arguments.of("lone high surrogate", "a\uD800"),
                Arguments.of("lone low surrogate", "\uDC00a"),
                Arguments.of("swapped surrogates", "\uDC00\uD800"));
    }

    @ParameterizedTest(name = "owner id: {0}")
    @MethodSource("badNames")
    void badOwnerIdsAreRejected(String what, String ownerId) {
        assertThatThrownBy(() -> LockSettings.builder().ownerId(ownerId))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ownerId");
    }

    @ParameterizedTest(name = "owner id prefix: {0}")
    @ValueSource(strings = {"a\0b", "a\uD800", "\uDC00a"})
    @NullSource
    void badOwnerIdPrefixesAreRejected(String prefix) {
        assertThatThrownBy(() -> LockSettings.defaultOwnerId(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("prefix");
    }

    @ParameterizedTest(name = "lock name: {0}")
    @MethodSource("badNames")
    void badLockNamesAreRejected(String what, String name) {
        assertThatThrownBy(() -> dev.leasehold.lock.internal.Arguments.lockName(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name");
    }

    @ParameterizedTest(name = "lock name accepted: {0}")
    @ValueSource(strings = {"a", " leading space", "trailing space ", "x'; DROP TABLE t; --", "锁🔒", "e\u0301"})
    void unusualButValidNamesAreKeptExactly(String name) {
        assertThat(dev.leasehold.lock.internal.Arguments.lockName(name)).isSameAs(name);
    }

    @org.junit.jupiter.api.Test
    void aNameOf255CharactersIsAccepted() {
        String name = "n".repeat(255);
        assertThat(dev.leasehold.lock.internal.Arguments.lockName(name)).isSameAs(name);
    }

    static Stream<Arguments> badLeaseTimes() {
        return Stream.of(
                Arguments.of("zero", Duration.ZERO),
                Arguments.of("negative", Duration.ofMillis(-1)),
                Arguments.of("below 10 ms", Duration.ofMillis(9)),
                Arguments.of("over a day", Duration.ofDays(1).plusMillis(1)),
                Arguments.of("absurd", Duration.ofSeconds(Long.MAX_VALUE)));
    }

    @ParameterizedTest(name = "lease time: {0}")
    @MethodSource("badLeaseTimes")
    void badLeaseTimesAreRejected(String what, Duration leaseTime) {
        assertThatThrownBy(() -> LockSettings.builder().leaseTime(leaseTime).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("leaseTime");
        assertThatThrownBy(() -> LockOptions.builder().leaseTime(leaseTime).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("leaseTime");
    }

    @ParameterizedTest(name = "lease time: null")
    @NullSource
    void aNullLeaseTimeIsRejected(Duration leaseTime) {
        assertThatThrownBy(() -> LockSettings.builder().leaseTime(leaseTime))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("leaseTime");
    }

    static Stream<Arguments> badHeartbeats() {
        return Stream.of(
                Arguments.of("zero", Duration.ZERO),
                Arguments.of("negative", Duration.ofSeconds(-1)),
                Arguments.of("equal to the lease", Duration.ofSeconds(30)),
                Arguments.of("longer than the lease", Duration.ofSeconds(31)),
                Arguments.of("absurd", Duration.ofDays(365)));
    }

    @ParameterizedTest(name = "heartbeat: {0}")
    @MethodSource("badHeartbeats")
    void badHeartbeatsAreRejected(String what, Duration heartbeat) {
        assertThatThrownBy(() -> LockSettings.builder()
                        .leaseTime(Duration.ofSeconds(30))
                        .heartbeatInterval(heartbeat)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("heartbeatInterval");
        assertThatThrownBy(() -> LockOptions.builder()
                        .leaseTime(Duration.ofSeconds(30))
                        .heartbeatInterval(heartbeat)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("heartbeatInterval");
    }

    static Stream<Arguments> badRetries() {
        return Stream.of(
                Arguments.of(
                        "maxRetries -2",
                        (Runnable) () -> RetryOptions.builder().maxRetries(-2).build(),
                        "maxRetries"),
                Arguments.of("zero delay", (Runnable) () -> RetryOptions.of(3, Duration.ZERO), "delay"),
                Arguments.of("negative delay", (Runnable) () -> RetryOptions.of(3, Duration.ofMillis(-5)), "delay"),
                Arguments.of("null delay", (Runnable) () -> RetryOptions.of(3, null), "delay"),
                Arguments.of("absurd delay", (Runnable) () -> RetryOptions.of(3, Duration.ofDays(400)), "delay"),
                Arguments.of(
                        "maxDelay below delay",
                        (Runnable) () -> RetryOptions.builder()
                                .delay(Duration.ofSeconds(1))
                                .backoff(Duration.ofMillis(10), 2)
                                .build(),
                        "maxDelay"),
                Arguments.of(
                        "backoff factor below 1",
                        (Runnable) () -> RetryOptions.builder()
                                .backoff(Duration.ofSeconds(1), 0.5)
                                .build(),
                        "backoffFactor"),
                Arguments.of(
                        "backoff factor NaN",
                        (Runnable) () -> RetryOptions.builder()
                                .backoff(Duration.ofSeconds(1), Double.NaN)
                                .build(),
                        "backoffFactor"),
                Arguments.of(
                        "jitter 1",
                        (Runnable) () -> RetryOptions.builder().jitter(1.0).build(),
                        "jitter"),
                Arguments.of(
                        "negative jitter",
                        (Runnable) () -> RetryOptions.builder().jitter(-0.1).build(),
                        "jitter"),
                Arguments.of(
                        "negative maxWait",
                        (Runnable) () -> RetryOptions.builder()
                                .maxWait(Duration.ofMillis(-1))
                                .build(),
                        "maxWait"),
                Arguments.of(
                        "null maxWait", (Runnable) () -> RetryOptions.builder().maxWait(null), "maxWait"),
                Arguments.of(
                        "absurd maxWait",
                        (Runnable) () -> RetryOptions.builder()
                                .maxWait(Duration.ofDays(2))
                                .build(),
                        "maxWait"));
    }

    @ParameterizedTest(name = "retry options: {0}")
    @MethodSource("badRetries")
    void badRetryOptionsAreRejected(String what, Runnable build, String argument) {
        assertThatThrownBy(build::run)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(argument);
    }

    @ParameterizedTest(name = "schema: \"{0}\"")
    @ValueSource(
            strings = {
                "",
                "public\"",
                "a;b",
                "my schema",
                "public.other",
                "x--",
                "/*c*/",
                "1abc",
                "é",
                "a-b",
                "s234567890123456789012345678901234567890123456789012345678901234"
            })
    void badSchemasAreRejected(String schema) {
        assertThatThrownBy(() -> LockSettings.builder().schema(schema))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("schema");
    }

    @ParameterizedTest(name = "table prefix: \"{0}\"")
    @ValueSource(
            strings = {
                "app\"",
                "a;",
                "my app_",
                "a.b_",
                "x--",
                "/*",
                "1app_",
                "app-",
                "p2345678901234567890123456789012345678901234567"
            })
    void badTablePrefixesAreRejected(String prefix) {
        assertThatThrownBy(() -> LockSettings.builder().tablePrefix(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tablePrefix");
    }

    @ParameterizedTest(name = "table prefix accepted: \"{0}\"")
    @ValueSource(strings = {"", "app_", "App_", "_x", "p234567890123456789012345678901234567890123456"})
    void plainTablePrefixesAreAccepted(String prefix) {
        assertThat(LockSettings.builder().tablePrefix(prefix).build().tableName())
                .isEqualTo(prefix + "distributed_locks")
                .hasSizeLessThanOrEqualTo(63);
    }

    @ParameterizedTest(name = "null: {0}")
    @ValueSource(strings = {"dataSource", "jdbi", "entityManagerFactory", "resource", "backend", "retry", "schema"})
    void nullArgumentsAreRejectedByName(String argument) {
        LockSettings.Builder b = LockSettings.builder();
        Runnable call = switch (argument) {
            case "dataSource" -> () -> b.dataSource(null);
            case "jdbi" -> () -> b.jdbi(null);
            case "entityManagerFactory" -> () -> b.entityManagerFactory(null);
            case "resource" -> () -> b.resource(null);
            case "backend" -> () -> b.backend(null);
            case "retry" -> () -> b.retry(null);
            default -> () -> b.schema(null);
        };
        assertThatThrownBy(call::run)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(argument);
    }

    @org.junit.jupiter.api.Test
    void jdbiAndEntityManagerFactoryOfTheWrongTypeAreRejected() {
        assertThatThrownBy(() -> LockSettings.builder().jdbi("not a Jdbi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbi must be an org.jdbi.v3.core.Jdbi, got java.lang.String");
        assertThatThrownBy(() -> LockSettings.builder().entityManagerFactory(new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jakarta.persistence.EntityManagerFactory, got java.lang.Object");
    }

    @org.junit.jupiter.api.Test
    void aBlankBackendIsRejected() {
        assertThatThrownBy(() -> LockSettings.builder().backend(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("backend");
    }
}
