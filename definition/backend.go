package definition

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Backend is where the state is kept, from the frameworm block; nil on a
// Definition means the local state file.
//
// ConnStr may hold a password: it must never be printed, logged or written
// anywhere (use connstr.Redact, package internal/connstr, for messages).
// Nothing that fingerprints, plans, exports or generates from a Definition
// reads Backend.
type Backend struct {
	Type         string        // "pg"
	ConnStr      string        // "" when not set in the file (then FW_PG_CONN_STR or the PG* variables apply: the command resolves that, not you)
	Schema       string        // defaulted to "frameworm"
	Workspace    string        // defaulted to "default"
	RetryTimeout time.Duration // 0 when unset
	DeclRange    hcl.Range     // the backend block's header, for messages
}
