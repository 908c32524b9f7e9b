package dev.leasehold.examples.scheduled;

import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The example's {@code example.*} properties.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param tablePrefix prepended to the example's tables, {@code invoices} and {@code runs}
 * @param invoicesPerStart how many new invoices each instance adds when it starts
 * @param invoiceInterval the pause between two runs of the invoice job on one instance
 * @param summaryCron when the summary job runs (Spring's six-field cron)
 */
@ConfigurationProperties("example")
public record ExampleProperties(
        String tablePrefix, int invoicesPerStart, Duration invoiceInterval, String summaryCron) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,30}");

    public ExampleProperties {
        // The prefix becomes part of SQL identifiers, which cannot be bound as parameters.
        if (tablePrefix == null || !IDENTIFIER.matcher(tablePrefix).matches()) {
            throw new IllegalArgumentException("example.table-prefix is '" + tablePrefix
                    + "'; use lower-case letters, digits and underscores, starting with a letter (at most 31)");
        }
        if (invoicesPerStart < 0) {
            throw new IllegalArgumentException(
                    "example.invoices-per-start is " + invoicesPerStart + "; it must be 0 or more");
        }
    }
}
