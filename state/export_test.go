package state

// SetNoSync turns every fsync of f off, for benchmarks that measure the
// work apart from disk latency.
func SetNoSync(f *File, noSync bool) { f.noSync = noSync }
