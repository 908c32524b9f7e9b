package dev.leasehold.lock.advisory.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;

/**
 * Maps lock names to PostgreSQL advisory lock keys: the first 8 bytes, big-endian, of SHA-256 over the UTF-8 of the
 * namespace, a NUL byte, and the UTF-8 of the NFC-normalised name. Stable across JVMs, PostgreSQL versions and
 * releases of Leasehold (unlike {@code hashtext}, which is internal and 32 bits wide).
 *
 * <p>Two names may share a key (a hash collision, or two spellings of one text in NFC); that serialises them, and
 * costs liveness only: a grant is always decided on the lease row of the full name.
 *
 * <p>This class is thread-safe.
 */
public final class AdvisoryKeys {

    private final String namespace;
    private final byte[] prefix;

    private AdvisoryKeys(String namespace) {
        this.namespace = namespace;
        byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
        this.prefix = new byte[ns.length + 1];
        System.arraycopy(ns, 0, prefix, 0, ns.length);
    }

    /** The keys of one namespace (for a manager: the lease table, as {@code leasehold:schema.table}). */
    public static AdvisoryKeys of(String namespace) {
        if (namespace == null || namespace.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("namespace must be non-null text without NUL");
        }
        return new AdvisoryKeys(namespace);
    }

    /** The namespace of a lease table, from its schema and table name as the database spells them. */
    public static String namespaceOf(String schema, String table) {
        return "leasehold:" + schema + "." + table;
    }

    /** The namespace these keys are derived in. */
    public String namespace() {
        return namespace;
    }

    /** The advisory lock key of a lock name. */
    public long key(String name) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        sha.update(prefix);
        sha.update(Normalizer.normalize(name, Normalizer.Form.NFC).getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    @Override
    public String toString() {
        return "AdvisoryKeys[" + namespace + "]";
    }
}
