package textdiff

// This file reproduces how GNU diff decides which lines changed, step by
// step, because each step can change which of several equally short
// scripts is chosen:
//
//  1. the identical prefix and suffix are set aside, except for the
//     "horizon" of lines next to the changes, which diff -u sets to its
//     context size;
//  2. lines that cannot match (no equal line on the other side) are
//     marked changed before the search, and so are lines with very many
//     matches that sit among them ("confusing" lines);
//  3. Myers' search runs on the remaining lines (myers.go);
//  4. runs of changes are slid along equal lines to merge them and to line
//     deletions up with insertions.

// horizon is the number of lines of an identical prefix or suffix that
// still take part in the analysis, so that changes can slide into them.
const horizon = contextLines

// diff returns the edits that turn a into b, in order.
func diff(a, b []int) []edit {
	// Step 1.
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	p = max(0, p-horizon)
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	s = max(0, s-horizon)
	a, b = a[p:len(a)-s], b[p:len(b)-s]

	// Steps 2 and 3.
	del, ins := make([]bool, len(a)), make([]bool, len(b))
	aLines := keep(a, b, del)
	bLines := keep(b, a, ins)
	d := newDiffer(pick(a, aLines), pick(b, bLines), aLines, bLines, del, ins)
	d.compare(0, len(aLines), 0, len(bLines), false)

	// Step 4.
	slide(a, del, ins)
	slide(b, ins, del)

	// Unchanged lines pair up in order, and each maximal run of changes
	// between two pairs is one edit.
	var edits []edit
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if (i < len(a) && del[i]) || (j < len(b) && ins[j]) {
			e := edit{a: p + i, b: p + j}
			for i < len(a) && del[i] {
				i++
			}
			for j < len(b) && ins[j] {
				j++
			}
			e.del, e.ins = p+i-e.a, p+j-e.b
			edits = append(edits, e)
			continue
		}
		i++
		j++
	}
	return edits
}

// pick returns the elements of x at the given indexes.
func pick(x, indexes []int) []int {
	picked := make([]int, len(indexes))
	for k, i := range indexes {
		picked[k] = x[i]
	}
	return picked
}

// Marks for discard.
const (
	keepLine    = 0
	discardLine = 1 // no equal line on the other side
	provisional = 2 // many equal lines on the other side
)

// keep decides, as GNU diff's discard_confusing_lines does, which lines of
// x take part in the search for a shortest script against y. It marks the
// others in changed and returns the indexes of the kept ones.
//
// A line with no equal line in y is a change whatever the script, so it is
// discarded. A line with many equal lines in y (more than about the square
// root of len(x)) is discarded too when it lies within a run of discarded
// lines, unless such lines make up too much of the run; this saves time on
// files with many repeated lines (blank lines, braces) at the price of a
// possibly longer script.
func keep(x, y []int, changed []bool) []int {
	count := make(map[int]int, len(y))
	for _, v := range y {
		count[v]++
	}
	many := 5
	for t := len(x) / 64 >> 2; t > 0; t >>= 2 {
		many *= 2
	}
	marks := make([]byte, len(x))
	for i, v := range x {
		switch n := count[v]; {
		case n == 0:
			marks[i] = discardLine
		case n > many:
			marks[i] = provisional
		}
	}

	for i := 0; i < len(marks); i++ {
		switch marks[i] {
		case provisional:
			// Not inside a run of discarded lines.
			marks[i] = keepLine
		case discardLine:
			i += settleRun(marks[i:])
		}
	}

	var kept []int
	for i, m := range marks {
		if m == keepLine {
			kept = append(kept, i)
		} else {
			changed[i] = true
		}
	}
	return kept
}

// settleRun decides which provisional marks stand in the run of non-keep
// marks at the start of marks, which starts with discardLine. It returns
// how many marks the caller may skip: the length of the run less one, or 0
// when the run keeps no provisional marks.
func settleRun(marks []byte) int {
	n, prov := 0, 0
	for n < len(marks) && marks[n] != keepLine {
		if marks[n] == provisional {
			prov++
		}
		n++
	}
	// Provisional lines at the end of the run are not within it.
	for n > 0 && marks[n-1] == provisional {
		n--
		marks[n] = keepLine
		prov--
	}
	run := marks[:n]

	// Too many provisional lines: keep them all.
	if prov*4 > n {
		for i, m := range run {
			if m == provisional {
				run[i] = keepLine
			}
		}
		return 0
	}

	// Keep every stretch of at least minimum provisional lines, where
	// minimum is about the square root of n/4, plus one.
	minimum := 1
	for t := n >> 4; t > 0; t >>= 2 {
		minimum <<= 1
	}
	minimum++
	consec := 0
	for i := 0; i < n; i++ {
		if run[i] != provisional {
			consec = 0
			continue
		}
		consec++
		switch {
		case consec == minimum:
			i -= consec // walk the stretch again, clearing it
		case consec > minimum:
			run[i] = keepLine
		}
	}

	// Near either end of the run, keep provisional lines until three
	// discarded lines in a row, or a discarded one 8 or more lines in.
	settleEnd := func(at func(int) *byte) {
		consec := 0
		for i := 0; i < n; i++ {
			m := at(i)
			if i >= 8 && *m == discardLine {
				return
			}
			switch *m {
			case provisional:
				*m = keepLine
				consec = 0
			case keepLine:
				consec = 0
			default:
				consec++
			}
			if consec == 3 {
				return
			}
		}
	}
	settleEnd(func(i int) *byte { return &run[i] })
	settleEnd(func(i int) *byte { return &run[n-1-i] })
	return n - 1
}

// slide normalizes the runs of changed lines of one side, x, whose lines
// are marked in changed; other marks the changed lines of the other side.
// Where a run can be shifted along equal lines without changing the
// script's meaning, it is moved to merge with neighbouring runs, then as
// far down as possible, except that it is moved back up to the last
// position where it ends together with a run of changes on the other side
// (so that a deletion and an insertion form one change). This is what GNU
// diff does, and it usually gives the more natural diff, e.g. keeping a
// closing brace as context rather than as part of an insertion.
func slide(x []int, changed, other []bool) {
	n := len(x)
	// Unchanged lines of the two sides pair up in order. Past each run,
	// j is the other side's line paired with x[i], the first unchanged
	// line after the run (len(other) when there is none).
	i, j := 0, 0
	for {
		for i < n && !changed[i] {
			for j < len(other) && other[j] {
				j++
			}
			j++
			i++
		}
		if i == n {
			return
		}
		start := i
		for i < n && changed[i] {
			i++
		}
		for j < len(other) && other[j] {
			j++
		}

		// aligned is the largest end of the run, among the positions it
		// can take, at which it ends where a run ends on the other side;
		// n if there is none.
		var aligned int
		for {
			length := i - start
			// Move up while the line before the run equals its last line;
			// swallow any run that becomes adjacent.
			for start > 0 && x[start-1] == x[i-1] {
				start--
				changed[start] = true
				i--
				changed[i] = false
				for start > 0 && changed[start-1] {
					start--
				}
				j = prevUnchanged(other, j)
			}
			aligned = n
			if j > 0 && other[j-1] {
				aligned = i
			}
			// Move down while the first line of the run equals the line
			// after it, likewise merging.
			for i < n && x[start] == x[i] {
				changed[start] = false
				start++
				changed[i] = true
				i++
				for i < n && changed[i] {
					i++
				}
				for j++; j < len(other) && other[j]; j++ {
					aligned = i
				}
			}
			// Merging may have opened new moves; repeat until stable.
			if i-start == length {
				break
			}
		}
		for aligned < i {
			start--
			changed[start] = true
			i--
			changed[i] = false
			j = prevUnchanged(other, j)
		}
	}
}

// prevUnchanged returns the index of the last unchanged line before j.
func prevUnchanged(changed []bool, j int) int {
	for j--; j > 0 && changed[j]; j-- {
	}
	return j
}
