// Package pg is the PostgreSQL state backend: one database holds the states
// of many workspaces (one state each), shared by every machine that can reach
// it, with one apply at a time holding a workspace's lock.
//
// Contract:
//
//   - Open connects, and creates or migrates the schema (versioned in its
//     migrations table; a schema newer than this release is refused). Errors
//     name the host, port, database and user and say what to do; no error,
//     message or description ever holds the password.
//   - Storage reuses the state file's journal codec: a workspace's state is
//     its latest snapshot (the bytes of state.WriteSnapshot, in chunks of at
//     most 4 MiB) followed by its change records (each the exact line of
//     state.EncodeRecord) with serials after the snapshot's. Load streams
//     both through state.ReadJournal, so what is stored is checked (checksums,
//     serials) by the same decoder as a state file.
//   - A workspace that was never written loads as state.New(); nothing is
//     stored until the first write, which creates it with that lineage.
//   - Append is one statement in its own transaction, O(1): it stores serial
//     N only if the stored serial is N-1 with the loaded lineage, so two
//     writers never both take a serial and a write is never lost silently;
//     the loser gets an error saying another process wrote the state.
//     AppendBatch, Compact and Replace are each one transaction.
//   - Every write notifies (NOTIFY, channel "frameworm", payload
//     "SCHEMA/WORKSPACE") when it commits; Watch delivers those.
//   - Lock takes a session-level advisory lock on a connection of its own
//     (so two Lock calls conflict, even in one process) and writes the
//     holder in the locks table; the lock dies with its session, so a killed
//     holder blocks no one. While a Backend holds a lock, its writes go
//     through the lock's connection: nothing is written without the lock.
//   - When the server goes away, writes and lock checks retry with backoff
//     until Config.RetryTimeout has passed since the outage began; a lost
//     lock connection is reopened and the lock taken again, which fails with
//     a *state.LockLostError when another process took it meanwhile or it
//     was force-unlocked.
//
// docs/state.md describes the tables, the locking and the failure handling
// for users.
package pg
