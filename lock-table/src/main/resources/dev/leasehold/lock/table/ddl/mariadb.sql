-- Leasehold lease table for MariaDB (and MySQL: use COLLATE utf8mb4_0900_bin there).
-- Replace the placeholder table with distributed_locks, or schema.prefix_distributed_locks (quoted where needed).
-- Times are UTC (UTC_TIMESTAMP), so DATETIME needs no time zone and has no 2038 limit.
-- The binary NO PAD collation keeps names exact: case matters and trailing spaces count.
-- A released lock keeps its row and its last token, so tokens never go back. A purge of idle names deletes rows,
-- after raising the token floor: the row of the empty name '' (not a valid lock name), inserted below, from
-- which every new row's token starts. Leasehold inserts it at start-up too.
-- wake_until: until when someone waits for the lock (on PostgreSQL a release notifies waiters only while it lies
-- ahead). A table created without it gets it at start-up, or add it yourself:
--   ALTER TABLE ${table} ADD COLUMN wake_until DATETIME(6) NULL;
CREATE TABLE IF NOT EXISTS ${table} (
    lock_name   VARCHAR(255) NOT NULL PRIMARY KEY,
    owner_id    VARCHAR(255) NULL,
    token       BIGINT       NOT NULL,
    acquired_at DATETIME(6)  NOT NULL,
    expires_at  DATETIME(6)  NOT NULL,
    wake_until  DATETIME(6) NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin;
INSERT IGNORE INTO ${table} (lock_name, owner_id, token, acquired_at, expires_at)
    VALUES ('', NULL, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6));
