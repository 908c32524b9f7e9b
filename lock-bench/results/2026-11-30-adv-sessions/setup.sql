-- A scratch lease table for the statement measurements (drop it afterwards: DROP TABLE advx_t CASCADE).
DROP TABLE IF EXISTS advx_t;
CREATE TABLE advx_t (lock_name VARCHAR(255) NOT NULL PRIMARY KEY, owner_id VARCHAR(255), token BIGINT NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
INSERT INTO advx_t VALUES ('', NULL, 0, clock_timestamp(), clock_timestamp());
INSERT INTO advx_t SELECT 'c' || g, NULL, 5, clock_timestamp(), clock_timestamp() FROM generate_series(0, 20) g;
