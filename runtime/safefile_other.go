//go:build !unix

package runtime

// Systems without O_NOFOLLOW rely on the checks openNoFollow makes after
// opening (a regular file).
const (
	oNoFollow = 0
	oNonBlock = 0
)
