-- The cycles measured by server-cpu.sh: each procedure runs N acquire + release cycles of one name, a COMMIT after each statement.
CREATE OR REPLACE PROCEDURE advx_full(n int) LANGUAGE plpgsql AS $$
DECLARE tok bigint; got boolean; k bigint := 777; nm varchar := 'c20'; ok boolean;
BEGIN
 FOR i IN 1..n LOOP
  WITH p AS MATERIALIZED (SELECT CAST(k AS bigint) AS k, CAST(nm AS varchar) AS name, CAST('me' AS varchar) AS owner, CAST(30000000 AS bigint) * INTERVAL '1 microsecond' AS ttl, set_config('lock_timeout', '1000ms', true) AS w),
   l AS MATERIALIZED (SELECT p.*, pg_try_advisory_lock(p.k) AS got FROM p),
   u AS (UPDATE advx_t AS t SET owner_id = l.owner, token = t.token + 1, acquired_at = clock_timestamp(), expires_at = clock_timestamp() + l.ttl FROM l WHERE l.got AND t.lock_name = l.name AND (t.owner_id IS NOT NULL OR t.expires_at <= clock_timestamp()) RETURNING t.token, t.acquired_at, t.expires_at),
   g AS (INSERT INTO advx_t AS t (lock_name, owner_id, token, acquired_at, expires_at) SELECT l.name, l.owner, COALESCE((SELECT fl.token FROM advx_t fl WHERE fl.lock_name = '' FOR SHARE), 0) + 1, clock_timestamp(), clock_timestamp() + l.ttl FROM l WHERE l.got AND NOT EXISTS (SELECT 1 FROM u) AND NOT EXISTS (SELECT 1 FROM advx_t e WHERE e.lock_name = l.name AND NOT (e.owner_id IS NOT NULL OR e.expires_at <= clock_timestamp())) ON CONFLICT (lock_name) DO UPDATE SET owner_id = EXCLUDED.owner_id, token = t.token + 1, acquired_at = clock_timestamp(), expires_at = clock_timestamp() + (SELECT ttl FROM p) WHERE t.owner_id IS NOT NULL OR t.expires_at <= clock_timestamp() RETURNING t.token, t.acquired_at, t.expires_at),
   r AS (SELECT * FROM u UNION ALL SELECT * FROM g)
   SELECT l.got, r.token INTO got, tok FROM l LEFT JOIN r ON true;
  COMMIT;
  WITH w AS MATERIALIZED (SELECT set_config('lock_timeout', '1000ms', true) AS v), released AS (UPDATE advx_t AS t SET owner_id = NULL, expires_at = clock_timestamp() FROM w WHERE t.lock_name = nm AND t.owner_id = 'me' AND t.token = tok AND t.expires_at > clock_timestamp() RETURNING t.lock_name) SELECT pg_advisory_unlock(k) INTO ok FROM (SELECT count(*) AS released FROM released) x;
  COMMIT;
 END LOOP;
END $$;
CREATE OR REPLACE PROCEDURE advx_known(n int) LANGUAGE plpgsql AS $$
DECLARE tok bigint; got boolean; k bigint := 778; nm varchar := 'c19'; ok boolean; ex boolean;
BEGIN
 FOR i IN 1..n LOOP
  WITH p AS MATERIALIZED (SELECT CAST(k AS bigint) AS k, CAST(nm AS varchar) AS name, CAST('me' AS varchar) AS owner, CAST(30000000 AS bigint) * INTERVAL '1 microsecond' AS ttl, set_config('lock_timeout', '1000ms', true) AS w),
   l AS MATERIALIZED (SELECT p.*, pg_try_advisory_lock(p.k) AS got FROM p),
   u AS (UPDATE advx_t AS t SET owner_id = l.owner, token = t.token + 1, acquired_at = clock_timestamp(), expires_at = clock_timestamp() + l.ttl FROM l WHERE l.got AND t.lock_name = l.name AND (t.owner_id IS NOT NULL OR t.expires_at <= clock_timestamp()) RETURNING t.token, t.acquired_at, t.expires_at)
   SELECT l.got, u.token, CASE WHEN u.token IS NULL THEN EXISTS (SELECT 1 FROM advx_t e WHERE e.lock_name = l.name) END INTO got, tok, ex FROM l LEFT JOIN u ON true;
  COMMIT;
  WITH w AS MATERIALIZED (SELECT set_config('lock_timeout', '1000ms', true) AS v), released AS (UPDATE advx_t AS t SET owner_id = NULL, expires_at = clock_timestamp() FROM w WHERE t.lock_name = nm AND t.owner_id = 'me' AND t.token = tok AND t.expires_at > clock_timestamp() RETURNING t.lock_name) SELECT pg_advisory_unlock(k) INTO ok FROM (SELECT count(*) AS released FROM released) x;
  COMMIT;
 END LOOP;
END $$;
CREATE OR REPLACE PROCEDURE advx_floor(n int) LANGUAGE plpgsql AS $$
DECLARE tok bigint; nm varchar := 'c18';
BEGIN
 FOR i IN 1..n LOOP
  UPDATE advx_t SET owner_id = 'me', token = token + 1, acquired_at = clock_timestamp(), expires_at = clock_timestamp() + interval '30 seconds' WHERE lock_name = nm AND (owner_id IS NULL OR expires_at <= clock_timestamp()) RETURNING token INTO tok;
  COMMIT;
  UPDATE advx_t SET owner_id = NULL, expires_at = clock_timestamp() WHERE lock_name = nm AND owner_id = 'me' AND token = tok;
  COMMIT;
 END LOOP;
END $$;
