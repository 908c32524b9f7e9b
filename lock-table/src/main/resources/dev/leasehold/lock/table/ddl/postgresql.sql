-- Leasehold lease table for PostgreSQL.
-- Replace the placeholder table with distributed_locks, or schema.prefix_distributed_locks (quoted where needed).
-- A released lock keeps its row and its last token, so tokens never go back. A purge of idle names deletes rows,
-- after raising the token floor: the row of the empty name '' (not a valid lock name), inserted below, from
-- which every new row's token starts. Leasehold inserts it at start-up too.
-- wake_until: until when someone waits for the lock (on PostgreSQL a release notifies waiters only while it lies
-- ahead). A table created without it gets it at start-up, or add it yourself:
--   ALTER TABLE ${table} ADD COLUMN wake_until TIMESTAMPTZ;
CREATE TABLE IF NOT EXISTS ${table} (
    lock_name   VARCHAR(255) NOT NULL PRIMARY KEY,
    owner_id    VARCHAR(255),
    token       BIGINT       NOT NULL,
    acquired_at TIMESTAMPTZ  NOT NULL,
    expires_at  TIMESTAMPTZ  NOT NULL,
    wake_until  TIMESTAMPTZ
);
INSERT INTO ${table} (lock_name, owner_id, token, acquired_at, expires_at)
    VALUES ('', NULL, 0, clock_timestamp(), clock_timestamp()) ON CONFLICT (lock_name) DO NOTHING;
