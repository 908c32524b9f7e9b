package dev.leasehold.lock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The owner id a manager gets when none is given, and the same with the application's prefix. */
class DefaultOwnerIdTest {

    private static final String PID = String.valueOf(ProcessHandle.current().pid());

    @Test
    void withoutAPrefixItIsHostPidAndRandom() {
        String id = LockSettings.builder().build().ownerId();
        String[] parts = id.split(":");
        assertThat(parts).hasSize(3);
        assertThat(parts[0]).isNotBlank();
        assertThat(parts[1]).isEqualTo(PID);
        assertThat(parts[2]).matches("[0-9a-f]{8}");
        assertThat(LockSettings.defaultOwnerId("")).matches("[^:]+:" + PID + ":[0-9a-f]{8}");
    }

    @Test
    void aPrefixComesFirstAndEachCallIsUnique() {
        String first = LockSettings.defaultOwnerId("billing");
        String second = LockSettings.defaultOwnerId("billing");
        assertThat(first).startsWith("billing:").contains(":" + PID + ":").isNotEqualTo(second);
    }

    @Test
    void aLongPrefixIsCutFromTheFrontSoTheRandomPartStays() {
        String id = LockSettings.defaultOwnerId("p".repeat(300));
        assertThat(id).hasSize(255).matches("p+:[^:]+:" + PID + ":[0-9a-f]{8}");
        assertThat(LockSettings.builder().ownerId(id).build().ownerId()).isEqualTo(id);
    }

    @Test
    void aCutNeverLeavesHalfASurrogatePair() {
        // The cut falls among the pairs; of two prefixes one character apart, one puts it between a pair's halves.
        for (int extra = 0; extra < 2; extra++) {
            String id = LockSettings.defaultOwnerId("🔒".repeat(200) + "x".repeat(extra));
            assertThat(Character.isLowSurrogate(id.charAt(0))).isFalse();
            assertThat(LockSettings.builder().ownerId(id).build().ownerId()).isEqualTo(id);
        }
    }
}
