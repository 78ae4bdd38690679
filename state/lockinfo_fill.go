package state

// FillLockInfo fills in the zero fields of info as File.Lock does (a random
// ID, Who as user@host, this process's PID and its ProcessStart, Created
// now) and sets Path to path when it is empty: for backends other than File
// that take a lock, so that their holders are described and checked
// (LockInfo.Liveness) like a lock file's.
func FillLockInfo(info LockInfo, path string) LockInfo {
	return (&File{path: path}).fillLockInfo(info)
}
