package prune

import "strconv"

// formatPair writes a and b with 4 significant digits, or more when that
// is needed to tell them apart (up to the 17 that tell every two float64
// apart).
func formatPair(a, b float64) (string, string) {
	for prec := 4; ; prec++ {
		sa := strconv.FormatFloat(a, 'g', prec, 64)
		sb := strconv.FormatFloat(b, 'g', prec, 64)
		if sa != sb || prec >= 17 {
			return sa, sb
		}
	}
}
