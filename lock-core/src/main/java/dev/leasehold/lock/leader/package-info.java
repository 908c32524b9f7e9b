/**
 * Recipes for applications built on any {@link dev.leasehold.lock.LockManager}: {@link
 * dev.leasehold.lock.leader.LeaderElection} elects one leader per lock name among candidates.
 */
package dev.leasehold.lock.leader;
