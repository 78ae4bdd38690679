package state

// BatchTrials follows the trials a batch of changes cs puts (true) and
// removes (false), in order, over the stored trials (stored reports
// whether one is stored), for a backend to check the batch before writing
// it and to update its own index of the stored trials after. A remove must
// name a trial that is stored or put earlier in cs, and not removed since:
// bad is the index of the first change that does not, or -1. When bad is
// not -1, trials covers cs[:bad] only; the caller words the error.
func BatchTrials(cs []Change, stored func(TrialRef) bool) (trials map[TrialRef]bool, bad int) {
	trials = map[TrialRef]bool{}
	for i, c := range cs {
		switch {
		case c.Put != nil:
			trials[c.Put.Ref()] = true
		case c.Remove != nil:
			there, ok := trials[*c.Remove]
			if !ok {
				there = stored(*c.Remove)
			}
			if !there {
				return trials, i
			}
			trials[*c.Remove] = false
		}
	}
	return trials, -1
}
