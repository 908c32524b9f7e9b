/**
 * The {@code leasehold} command: runs any program under a distributed lock, inspects and releases locks, and shows a
 * demo. {@link dev.leasehold.lock.cli.Main} is the entry point; every subcommand is one class.
 */
package dev.leasehold.lock.cli;
