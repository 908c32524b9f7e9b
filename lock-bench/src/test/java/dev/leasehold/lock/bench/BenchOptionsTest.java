package dev.leasehold.lock.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsAreTheFullRun() {
        BenchOptions o = BenchOptions.parse();
        assertThat(o.rounds()).isEqualTo(5);
        assertThat(o.seconds()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.databases()).containsExactly(DbKind.POSTGRESQL, DbKind.MARIADB, DbKind.H2);
        assertThat(o.intList("heartbeat-leases")).containsExactly(1, 100, 10_000);
        assertThat(o.variants()).isEmpty();
        assertThat(o.smoke()).isFalse();
    }

    @Test
    void smokeLowersDefaultsButGivenOptionsWin() {
        BenchOptions o = BenchOptions.parse("--rounds=3", "--smoke", "--databases=pg");
        assertThat(o.smoke()).isTrue();
        assertThat(o.rounds()).isEqualTo(3);
        assertThat(o.seconds()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.databases()).containsExactly(DbKind.POSTGRESQL);
    }

    @Test
    void badOptionsAreRejectedByName() {
        assertThatThrownBy(() -> BenchOptions.parse("--roundz=3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("roundz");
        assertThatThrownBy(() -> BenchOptions.parse("--rounds=0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rounds");
        assertThatThrownBy(() -> BenchOptions.parse("--databases=oracle"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oracle");
        assertThatThrownBy(() -> BenchOptions.parse("--contention-modes=burst"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("burst");
        assertThatThrownBy(() -> BenchOptions.parse("--trace-over-ms=-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trace-over-ms");
        assertThatThrownBy(() -> BenchOptions.parse("rounds=3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rounds=3");
    }

    @Test
    void theFloorAlwaysRunsWhenVariantsAreChosen() {
        List<Variant> chosen = Variants.forDatabase(
                DbKind.POSTGRESQL,
                BenchOptions.parse("--variants=leasehold-jdbc").variants());
        assertThat(chosen).extracting(Variant::id).containsExactly("floor", "leasehold-jdbc");
    }

    @Test
    void everyDatabaseHasTheFloorFirstAndEveryLeaseholdBackendThatRunsOnIt() {
        assertThat(Variants.forDatabase(DbKind.POSTGRESQL, java.util.Set.of()))
                .extracting(Variant::id)
                .startsWith("floor")
                .contains(
                        "leasehold-jdbc",
                        "leasehold-advisory",
                        "leasehold-jpa",
                        "shedlock-jdbc",
                        "shedlock-template-dbtime",
                        "spring-integration",
                        "select-1",
                        "raw-advisory");
        assertThat(Variants.forDatabase(DbKind.MARIADB, java.util.Set.of()))
                .extracting(Variant::id)
                .contains("leasehold-jdbc", "leasehold-jpa")
                .doesNotContain("leasehold-advisory");
    }
}
