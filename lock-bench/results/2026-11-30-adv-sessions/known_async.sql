\set key 1000 + :client_id
WITH p AS MATERIALIZED (SELECT CAST(:key AS bigint) AS k, CAST('c' || :client_id AS varchar) AS name, CAST('me' AS varchar) AS owner, CAST(30000000 AS bigint) * INTERVAL '1 microsecond' AS ttl, set_config('lock_timeout', '1000ms', true) AS w),
 l AS MATERIALIZED (SELECT p.*, pg_try_advisory_lock(p.k) AS got FROM p),
 u AS (UPDATE advx_t AS t SET owner_id = l.owner, token = t.token + 1, acquired_at = clock_timestamp(), expires_at = clock_timestamp() + l.ttl FROM l WHERE l.got AND t.lock_name = l.name AND (t.owner_id IS NOT NULL OR t.expires_at <= clock_timestamp()) RETURNING t.token, t.acquired_at, t.expires_at)
 SELECT l.got, u.token AS tok, u.expires_at, u.acquired_at, CASE WHEN u.token IS NULL THEN EXISTS (SELECT 1 FROM advx_t e WHERE e.lock_name = l.name) END AS ex, CASE WHEN l.got AND u.token IS NULL THEN pg_advisory_unlock(l.k) END AS undone FROM l LEFT JOIN u ON true
\gset
WITH w AS MATERIALIZED (SELECT set_config('lock_timeout', '1000ms', true) AS v , set_config('synchronous_commit', 'off', true) AS a), released AS (UPDATE advx_t AS t SET owner_id = NULL, expires_at = clock_timestamp() FROM w WHERE t.lock_name = 'c' || :client_id AND t.owner_id = 'me' AND t.token = :tok AND t.expires_at > clock_timestamp() RETURNING t.lock_name) SELECT x.released, pg_advisory_unlock(:key) AS unlocked FROM (SELECT count(*) AS released FROM released) x;
