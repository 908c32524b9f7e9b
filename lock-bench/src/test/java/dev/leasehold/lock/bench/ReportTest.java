package dev.leasehold.lock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class ReportTest {

    private static Report report() {
        Report report = new Report(BenchOptions.parse("--smoke"));
        report.variants(
                DbKind.POSTGRESQL,
                Variants.forDatabase(DbKind.POSTGRESQL, Set.of("leasehold-jdbc", "shedlock-jdbc", "raw-advisory")));
        return report;
    }

    @Test
    void ratiosAreTakenWithinEachRoundThenSummarised() {
        Report report = report();
        double[] floor = {1000, 2000, 4000};
        double[] ours = {500, 1200, 2800}; // 0.5, 0.6, 0.7 of the floor in the same round
        double[] peer = {250, 600, 1400}; // half of ours in every round
        for (int round = 0; round < 3; round++) {
            report.throughput.add(row("floor", round, floor[round]));
            report.throughput.add(row("leasehold-jdbc", round, ours[round]));
            report.throughput.add(row("shedlock-jdbc", round, peer[round]));
        }
        String md = report.markdown();
        assertThat(md).contains("Smoke run");
        assertThat(md).contains("| leasehold-jdbc | 1200 (500 – 2800) | 0.60 (0.50 – 0.70) |");
        assertThat(md).contains("| leasehold-jdbc | – | 2.00 (2.00 – 2.00) |");
    }

    @Test
    void scheduledJobRatiosAreTakenToShedLockOnTheDatabaseClockWithinEachRound() {
        Report report = report();
        report.scheduledVariants(DbKind.POSTGRESQL, ScheduledJobScenario.variants(DbKind.POSTGRESQL, Set.of()));
        double[] shedlock = {100, 200, 400};
        double[] ours = {150, 200, 200}; // 1.5, 1.0, 0.5 of ShedLock in the same round
        for (int round = 0; round < 3; round++) {
            report.scheduled.add(scheduled(ScheduledJobScenario.REFERENCE, round, shedlock[round], null));
            report.scheduled.add(scheduled("leasehold-provider-jdbc", round, ours[round], null));
        }
        report.scheduled.add(scheduled("leasehold-provider-advisory", 0, Double.NaN, "boom"));
        String md = report.markdown();
        assertThat(md).contains("| `leasehold-provider-advisory` | Leasehold LeaseholdLockProvider over advisory");
        assertThat(md).contains("| leasehold-provider-jdbc | 200 (150 – 200) | 1.00 (0.50 – 1.50) | 3.0 | 0.500 |");
        assertThat(md).contains("scheduled pg 1 threads round 1 leasehold-provider-advisory: boom");
    }

    @Test
    void aFailedRoundIsListedAndLeftOutOfTheFigures() {
        Report report = report();
        report.throughput.add(row("floor", 0, 1000));
        report.throughput.add(row("leasehold-jdbc", 0, 800));
        report.throughput.add(
                new RateRow(DbKind.POSTGRESQL, 1, "leasehold-jdbc", 1, Double.NaN, Double.NaN, Double.NaN, "boom"));
        String md = report.markdown();
        assertThat(md).contains("| leasehold-jdbc | 800 (800 – 800) | 0.80 (0.80 – 0.80) |");
        assertThat(md).contains("throughput pg 1 threads round 2 leasehold-jdbc: boom");
    }

    @Test
    void theHandoffChartIsWellFormedSvgWithALinePerSeries() throws Exception {
        Report report = report();
        List<HandoffScenario.Row> rows = new ArrayList<>();
        rows.add(new HandoffScenario.Row(
                DbKind.POSTGRESQL, 1, "raw-advisory", 0, new double[] {0.2, 0.3, 1.5}, 3.0, null));
        rows.add(
                new HandoffScenario.Row(DbKind.POSTGRESQL, 1, "leasehold-jdbc", 0, new double[] {2, 3, 40}, 4.5, null));
        rows.add(new HandoffScenario.Row(DbKind.POSTGRESQL, 8, "leasehold-jdbc", 0, new double[] {5, 6}, 12.0, null));
        report.handoff.addAll(rows);
        String svg = report.handoffSvg();
        Document doc = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(3);
        assertThat(svg).contains("PostgreSQL, 1 waiter").contains("PostgreSQL, 8 waiters");
        assertThat(report.markdown())
                .contains("| PostgreSQL | 1 | leasehold-jdbc | 3 | 2.00 | 3.00 | 40.00 |")
                .contains("| 4.5 |");
    }

    private static RateRow scheduled(String variant, int round, double perSecond, String error) {
        return new RateRow(DbKind.POSTGRESQL, 1, variant, round, perSecond, 3, 0.5, error);
    }

    private static RateRow row(String variant, int round, double perSecond) {
        return new RateRow(DbKind.POSTGRESQL, 1, variant, round, perSecond, 2, 0.1, null);
    }
}
