#!/bin/bash
# interleaved rounds of pgbench scripts; args: clients rounds seconds scripts...
c=$1; r=$2; s=$3; shift 3
for i in $(seq 1 $r); do
  for f in "$@"; do
    t=$(pgbench -n -h 127.0.0.1 -U postgres -M prepared -c $c -j $c -T $s -f $f.sql test 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "$c $i $f $t"
  done
done
