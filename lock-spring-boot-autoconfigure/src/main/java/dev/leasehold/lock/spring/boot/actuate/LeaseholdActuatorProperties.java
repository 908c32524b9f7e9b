package dev.leasehold.lock.spring.boot.actuate;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code leasehold.actuator.*} properties.
 *
 * <p>This class is not thread-safe: Spring binds it once at start-up.
 */
@ConfigurationProperties("leasehold.actuator")
public class LeaseholdActuatorProperties {

    private final ForceRelease forceRelease = new ForceRelease();

    private final Health health = new Health();

    /** The {@code leasehold} endpoint's force release. */
    public ForceRelease getForceRelease() {
        return forceRelease;
    }

    /** The {@code leasehold} health indicator. */
    public Health getHealth() {
        return health;
    }

    /**
     * {@code leasehold.actuator.force-release.*}.
     *
     * <p>This class is not thread-safe.
     */
    public static class ForceRelease {

        /**
         * Whether the leasehold endpoint offers its write operation, which frees a lock whoever holds it (POST
         * /actuator/leasehold/{name}). Off by default: the holder's work may still be running.
         */
        private boolean enabled;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /**
     * {@code leasehold.actuator.health.*}.
     *
     * <p>This class is not thread-safe.
     */
    public static class Health {

        /** The lock name the health indicator inspects to check that the database answers; never acquired. */
        private String probeName = "leasehold-health-probe";

        /**
         * How long the health indicator reports a lost lease (in its details; the status stays as the database makes
         * it).
         */
        private Duration lostWindow = Duration.ofMinutes(5);

        public String getProbeName() {
            return probeName;
        }

        public void setProbeName(String probeName) {
            this.probeName = probeName;
        }

        public Duration getLostWindow() {
            return lostWindow;
        }

        public void setLostWindow(Duration lostWindow) {
            this.lostWindow = lostWindow;
        }
    }
}
