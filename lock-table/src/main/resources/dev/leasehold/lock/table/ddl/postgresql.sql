-- Leasehold lease table for PostgreSQL.
-- Replace the placeholder table with distributed_locks, or schema.prefix_distributed_locks (quoted where needed).
-- Rows are never deleted: a released lock keeps its row and its last token, so tokens never go back.
CREATE TABLE IF NOT EXISTS ${table} (
    lock_name   VARCHAR(255) NOT NULL PRIMARY KEY,
    owner_id    VARCHAR(255),
    token       BIGINT       NOT NULL,
    acquired_at TIMESTAMPTZ  NOT NULL,
    expires_at  TIMESTAMPTZ  NOT NULL
);
