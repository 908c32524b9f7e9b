UPDATE advx_t SET owner_id = 'me', token = token + 1, acquired_at = clock_timestamp(), expires_at = clock_timestamp() + interval '30 seconds' WHERE lock_name = 'c' || :client_id AND (owner_id IS NULL OR expires_at <= clock_timestamp()) RETURNING token AS tok
\gset
WITH w AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true) AS a) UPDATE advx_t SET owner_id = NULL, expires_at = clock_timestamp() FROM w WHERE lock_name = 'c' || :client_id AND owner_id = 'me' AND token = :tok;
