import { sqlMigration } from '@zapgate/core';

/**
 * Makes a lease's owner and epoch key columns (a unique index over them), so that the lock
 * each change of a lease row takes says what it changes. A takeover or a release (new epoch or
 * owner) takes `FOR UPDATE` and waits for the fenced writes in flight, which lock the row
 * `FOR KEY SHARE`; a renewal changes only the expiry (`FOR NO KEY UPDATE`) and waits for none
 * of them. With `FOR SHARE` every renewal waited for every open fenced transaction of its node,
 * and every new fenced write then queued behind the renewal: with hundreds of sessions pairing
 * on a node (each uploading its pre-keys) the writes ran one convoy at a time.
 */
export const leaseOwnerKey = sqlMigration(
  '015_lease_owner_key',
  [`CREATE UNIQUE INDEX "sessionLeases_owner" ON "sessionLeases" ("sessionId", "epoch", "nodeId")`],
  [`DROP INDEX "sessionLeases_owner"`],
);
