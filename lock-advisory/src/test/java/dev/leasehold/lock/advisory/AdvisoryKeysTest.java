package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.advisory.internal.AdvisoryKeys;
import org.junit.jupiter.api.Test;

/**
 * Keys: the first 8 bytes of SHA-256 over the namespace, NUL and the NFC name. The fixed values guard stability: a
 * change of key derivation would let two releases of Leasehold hold one lock at once.
 */
class AdvisoryKeysTest {

    private final AdvisoryKeys keys = AdvisoryKeys.of(AdvisoryKeys.namespaceOf("public", "distributed_locks"));

    @Test
    void keysAreStable() {
        assertThat(keys.namespace()).isEqualTo("leasehold:public.distributed_locks");
        assertThat(keys.key("nightly-report")).isEqualTo(KEY_NIGHTLY_REPORT);
        assertThat(keys.key("invoice-42")).isEqualTo(KEY_INVOICE_42);
    }

    @Test
    void namesAreNormalisedToNfcAndOtherwiseExact() {
        assertThat(keys.key("caf\u00e9")).isEqualTo(keys.key("cafe\u0301"));
        assertThat(keys.key("Lock")).isNotEqualTo(keys.key("lock"));
        assertThat(keys.key("lock")).isNotEqualTo(keys.key("lock "));
    }

    @Test
    void tablesHaveTheirOwnKeys() {
        AdvisoryKeys other = AdvisoryKeys.of(AdvisoryKeys.namespaceOf("public", "myapp_distributed_locks"));
        assertThat(other.key("nightly-report")).isNotEqualTo(keys.key("nightly-report"));
    }

    // Computed once from the definition; they must never change.
    private static final long KEY_NIGHTLY_REPORT =
            -3748160296042278362L; // sha256sum of "leasehold:public.distributed_locks\0nightly-report"
    private static final long KEY_INVOICE_42 = -7095519158340275392L;
}
