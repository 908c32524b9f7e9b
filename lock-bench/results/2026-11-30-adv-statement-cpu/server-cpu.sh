#!/bin/bash
# Server CPU of one acquire + release cycle of the advisory backend's statements, by PostgreSQL's own accounting of
# the backend process (utime + stime from /proc/<pid>/stat, in 10 ms ticks), so that other load on the machine changes
# it far less than it changes throughput. Runs on the database host, as a user who may read /proc of the server.
# The procedures (procedures.sql, on the table of setup.sql) run N cycles each with a COMMIT after every statement,
# with synchronous_commit off for this session, so that no WAL flush is waited for: what is left is the statements.
#   floor: the floor's UPDATE … RETURNING + guarded release
#   full:  the advisory acquire that every name took before (try-lock, update, and the inserting CTE) + its release
#   known: the advisory acquire of a known name now (try-lock and update alone) + the same release
# Usage: server-cpu.sh CYCLES ROUNDS   (prints ticks per procedure and round; µs per cycle = ticks * 10000 / CYCLES)
n=$1; rounds=$2
t0=$(mktemp)
{
echo "SET synchronous_commit = off;"
echo "CALL advx_full(200); CALL advx_known(200); CALL advx_floor(200);"
echo "SELECT pg_backend_pid() AS pid \\gset"
echo "\\setenv PID :pid"
for i in $(seq 1 $rounds); do
 for p in floor full known; do
  echo "\\! awk '{print \$14+\$15}' /proc/\$PID/stat > $t0"
  echo "CALL advx_$p($n);"
  echo "\\! echo $p \$(( \$(awk '{print \$14+\$15}' /proc/\$PID/stat) - \$(cat $t0) ))"
 done
done
} | psql -q -h 127.0.0.1 -U postgres test
rm -f "$t0"
