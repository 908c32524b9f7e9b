/**
 * The benchmark harness: every Leasehold backend against raw JDBC floors, ShedLock and Spring Integration's
 * {@code JdbcLockRegistry}, in interleaved rounds on the same pool settings, with results written as Markdown, CSV
 * and SVG. {@link dev.leasehold.lock.bench.BenchMain} is the entry point; {@code lock-bench/README.md} says how to
 * run it and how to read its output. Nothing here is part of the library.
 */
package dev.leasehold.lock.bench;
