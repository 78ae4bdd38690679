package definition

// This file holds what searches that build on searches need: the outcome
// of an upstream search as the loader reads it (search.NAME.best and
// search.NAME.top), and what a downstream search records of it.

// Outcome is what downstream searches may read of a search.
type Outcome struct {
	// Known is false while the search has trials to run: everything that
	// reads it is then unknown ("known after apply").
	Known bool
	// Pending says what remains when Known is false, like "12 of 40
	// trials to run".
	Pending string
	// Top holds the search's completed trials that match its
	// definition, best first (equal scores: the lower number first).
	Top []OutcomeTrial
}

// OutcomeTrial is one completed trial of an upstream search: the fields
// of search.NAME.best and of each element of search.NAME.top.
type OutcomeTrial struct {
	Trial   int
	Config  map[string]any
	Params  map[string]any // param path → value
	Score   float64
	Metrics map[string]float64
}

// Deferred says why a search's definition is not known yet: it reads a
// search whose outcome is not known.
type Deferred struct {
	// Upstream is the name of the first search it reads whose outcome is
	// not known.
	Upstream string
	// Reason is the sentence a plan shows, like "depends on
	// search.coarse (12 of 40 trials to run)".
	Reason string
}

// Refinement records a refine block: the space was narrowed around the
// best trial of From.
type Refinement struct {
	From   string
	Factor float64
	// Params are the param paths refined (all of From's by default).
	Params []string
	// TopK keeps the categories of the best TopK trials (0: categoricals
	// unchanged).
	TopK int
	// Around is the number of From's trial the space was refined around.
	Around int
}
