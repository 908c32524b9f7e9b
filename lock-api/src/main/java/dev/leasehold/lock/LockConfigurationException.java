package dev.leasehold.lock;

/**
 * Leasehold cannot start as configured: no backend or several fit, a table is missing or wrong, a schema does not
 * exist, options contradict each other. The message says what to change.
 */
public final class LockConfigurationException extends LockException {

    private static final long serialVersionUID = 1L;

    public LockConfigurationException(String message) {
        super(null, message, null);
    }

    public LockConfigurationException(String message, Throwable cause) {
        super(null, message, cause);
    }
}
