package pg

import (
	"errors"
	"testing"
)

func TestWriteError(t *testing.T) {
	cause := errors.New("write failed")
	own := errors.New("the change is wrong")
	tests := []struct {
		name        string
		err         error
		unsure      bool
		maybe, none string
		want        string
		wantUnknown bool // the workspace is to be read again
	}{
		{"fatal", &fatalError{own}, true, "maybe", "none", "the change is wrong", false},
		{"unsure", cause, true, "maybe", "none", "write failed; maybe", true},
		{"sure, with none", cause, false, "maybe", "none", "write failed; none", false},
		{"sure, without none", cause, false, "maybe", "", "write failed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Backend{}
			b.known = true
			err := b.writeError(tt.err, tt.unsure, tt.maybe, tt.none)
			if err == nil || err.Error() != tt.want {
				t.Errorf("writeError = %v, want %q", err, tt.want)
			}
			if fatal(tt.err) {
				if err != own {
					t.Errorf("writeError = %#v, want the fatalError's own error", err)
				}
			} else if !errors.Is(err, cause) {
				t.Errorf("writeError = %v does not wrap the write's error", err)
			}
			if b.known == tt.wantUnknown {
				t.Errorf("known = %v after writeError, want %v", b.known, !tt.wantUnknown)
			}
		})
	}
}

func fatal(err error) bool {
	var fe *fatalError
	return errors.As(err, &fe)
}
