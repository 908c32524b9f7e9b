#!/bin/sh
# Writes 1 GB and flushes it, every 5 s: pressure on the disk that holds the WAL.
while true; do
  dd if=/dev/zero of=/var/tmp/leasehold-io-pressure bs=1M count=1024 conv=fdatasync 2>>/tmp/iopressure.log
  rm -f /var/tmp/leasehold-io-pressure
  sleep 5
done
