// Package state holds the state of one working directory — every trial that
// was ever run, with its params, resolved config, status and metrics — and
// the backends that store it.
//
// Contract:
//   - A State changes only through Apply(Change). Every change bumps Serial by
//     one; Lineage is fixed when the state is created (New) and identifies it
//     for its whole life.
//   - A trial is identified by (search, number). Numbers are never reused:
//     NextNumber is the largest number ever recorded plus one, and it is kept
//     across Remove, reload and compaction.
//   - Params and Config hold JSON values only: nil, bool, string, int64,
//     float64 (finite), []any and map[string]any. Apply converts the other Go
//     integer and float kinds (and json.Number) to int64 or float64 and
//     rejects anything else, so what is stored round-trips exactly: an int64
//     stays an int64 and a float64 stays a float64 after a reload.
//   - A Backend stores changes one at a time (Append is O(1) in the state
//     size and durable when it returns) and reads them back (Load). A
//     Compacter rewrites its storage as one snapshot; a Locker stops two
//     applies on one state, and a LockChecker tells its holder when the
//     lock was taken away (a force-unlock), so that it stops writing.
//     Package statetest is the conformance suite every backend passes.
//   - File is the local backend: a JSON-lines journal with a CRC-32C checksum
//     per record, compacted atomically (temp file, fsync, rename), locked with
//     flock on a sidecar file. A record torn by a crash (a last line without
//     its newline) is dropped with a Warning; any other damage, even a
//     complete last line that fails its checksum, is an error, never a
//     silent loss, and File.Repair is the way out.
//   - A Batcher records many changes all or nothing (File: one atomic
//     rename), so an import killed halfway leaves the old state.
package state
