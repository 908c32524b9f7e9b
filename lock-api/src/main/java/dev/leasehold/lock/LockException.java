package dev.leasehold.lock;

import java.util.Optional;

/**
 * The base of every exception Leasehold throws on purpose. It is unchecked; the concrete types say what happened:
 * {@link LockAlreadyHeldException}, {@link LockExpiredException}, {@link LockBackendException}, {@link
 * LockConfigurationException} and {@link LockInterruptedException}. Bad arguments are reported as {@link
 * IllegalArgumentException} instead, and use after close as {@link IllegalStateException}.
 */
public abstract class LockException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String lockName;

    protected LockException(String lockName, String message, Throwable cause) {
        super(message, cause);
        this.lockName = lockName;
    }

    /** The name of the lock concerned, when there is one. */
    public Optional<String> lockName() {
        return Optional.ofNullable(lockName);
    }
}
