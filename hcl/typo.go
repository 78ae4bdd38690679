package hcl

import (
	"slices"
	"strings"
	"unicode"
)

// Shortest lengths, in runes, of the differing parts (see closeness) for
// an edit distance to count as close: short names differ by design (lr,
// wd, l2, mu, nu; acc, auc; min, max).
const (
	minLenAddedOrDropped = 2 // distance 1, parts of different lengths: the shorter
	minLenChanged        = 4 // distance 1, parts of the same length
	minLenDistance2      = 5 // distance 2: the shorter
)

// closest returns the name of names closest to given by the closeness
// rule (see closeness): the lowest score, ties going to the
// alphabetically first. It reports false when none is close.
func closest(given string, names []string) (string, bool) {
	best, bestScore := "", -1
	for _, n := range names {
		score, ok := closeness(given, n)
		if !ok {
			continue
		}
		if bestScore < 0 || score < bestScore || (score == bestScore && n < best) {
			best, bestScore = n, score
		}
	}
	return best, bestScore >= 0
}

// closeness is the rule for names the user may have mistyped: a param's
// new leaf against the keys beside it in base_config, and a search's
// metric against its metrics list. It scores how likely given is a
// mistyped existing (lower is closer), and reports false when the two
// are not close at all.
//
// Names are split into words at '_', '-' and camelCase boundaries, and
// lowercased. A name is close to another (that is not the same string)
// when any of these holds:
//
//   - Case style: both have the same words (learningRate, learning_rate,
//     learning-rate and LearningRate are all close). Score 0.
//   - Abbreviation: one name has two or more words and their initials
//     spell the other name's words run together (learning_rate and lr,
//     batch_size and bs). Score 1.
//   - Edit distance: take the differing parts, what is left of each
//     name's words once the words both share at the start and at the end
//     are dropped (min_lr and max_lr differ in min and max), joined by
//     '_'. Their optimal string alignment distance (Levenshtein plus
//     swaps of adjacent runes) is 1 by a rune added or dropped and the
//     shorter part has at least 2 runes; or 1 by a rune changed or two
//     swapped and the parts have at least 4 runes; or 2 and the shorter
//     part has at least 5 runes. Parts that differ only in their digits
//     (beta1 and beta2, layer_1 and layer_2) are deliberate siblings and
//     never close. Score: the distance.
//
// So lrr is close to lr, los to loss and learnig_rate to learning_rate,
// but wd is not close to lr, nor l2 to lr, nor val_auc to val_acc, nor
// min_lr to max_lr.
func closeness(given, existing string) (int, bool) {
	if given == existing {
		return 0, false
	}
	gw, ew := splitWords(given), splitWords(existing)
	switch {
	case len(gw) == 0 || len(ew) == 0:
		return 0, false
	case slices.Equal(gw, ew):
		return 0, true
	case isAbbreviation(gw, ew) || isAbbreviation(ew, gw):
		return 1, true
	}
	g, e := differingParts(gw, ew)
	if stripDigits(g) == stripDigits(e) {
		return 0, false
	}
	d := osaDistance(g, e)
	return d, closeByDistance(d, len([]rune(g)), len([]rune(e)))
}

// closeByDistance applies the length guards of the closeness rule to
// differing parts of m and n runes, d edits apart.
func closeByDistance(d, m, n int) bool {
	shorter := min(m, n)
	switch {
	case d == 1 && m != n:
		return shorter >= minLenAddedOrDropped
	case d == 1:
		return shorter >= minLenChanged
	case d == 2:
		return shorter >= minLenDistance2
	}
	return false
}

// differingParts drops the words a and b share at the start and at the
// end, and joins what is left of each by '_'.
func differingParts(a, b []string) (string, string) {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	return strings.Join(a, "_"), strings.Join(b, "_")
}

// splitWords splits a name into lowercase words at '_', '-' and camelCase
// boundaries: "learningRate", "learning_rate" and "LearningRate" all give
// [learning rate], and "HTTPServer" gives [http server].
func splitWords(name string) []string {
	var words []string
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' }) {
		words = append(words, splitCamel(part)...)
	}
	return words
}

// splitCamel splits one part of a name at its camelCase boundaries and
// lowercases the words.
func splitCamel(part string) []string {
	rs := []rune(part)
	var words []string
	start := 0
	for i := 1; i < len(rs); i++ {
		if !unicode.IsUpper(rs[i]) {
			continue
		}
		prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
		acronymEnd := unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
		if prevLower || acronymEnd {
			words = append(words, strings.ToLower(string(rs[start:i])))
			start = i
		}
	}
	return append(words, strings.ToLower(string(rs[start:])))
}

// isAbbreviation reports whether long has two or more words whose
// initials spell the words of short run together.
func isAbbreviation(long, short []string) bool {
	if len(long) < 2 || len(short) == 0 {
		return false
	}
	var initials strings.Builder
	for _, w := range long {
		r := []rune(w)
		initials.WriteRune(r[0])
	}
	return initials.String() == strings.Join(short, "")
}

// stripDigits returns s without its decimal digits.
func stripDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return -1
		}
		return r
	}, s)
}

// osaDistance is the optimal string alignment distance between a and b,
// by runes: the Levenshtein distance, with a swap of two adjacent runes
// counting as one edit.
func osaDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// rows[i%3] is row i of the usual table; the transposition needs
	// row i-2.
	var rows [3][]int
	for k := range rows {
		rows[k] = make([]int, len(rb)+1)
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur, prev, prev2 := rows[i%3], rows[(i-1)%3], rows[(i+1)%3]
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
	}
	return rows[len(ra)%3][len(rb)]
}
