package gen

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// initialisms are written in capitals inside Go names: golint's list plus
// common machine-learning abbreviations.
var initialisms = map[string]bool{
	// golint
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true,
	"IP": true, "JSON": true, "LHS": true, "QPS": true, "RAM": true, "RHS": true,
	"RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true,
	"TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "UUID": true,
	"URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true, "XMPP": true,
	"XSRF": true, "XSS": true,
	// machine learning
	"AUC": true, "CNN": true, "ELU": true, "GELU": true, "GPU": true, "GRU": true,
	"KL": true, "KNN": true, "LR": true, "LSTM": true, "MAE": true, "MLP": true,
	"MSE": true, "NLL": true, "PCA": true, "RMS": true, "RMSE": true, "RNN": true,
	"ROC": true, "SELU": true, "SGD": true, "SVM": true, "TPU": true,
}

// specialWords are words whose conventional spelling is neither an
// initialism nor a capitalized word.
var specialWords = map[string]string{
	"adamw":   "AdamW",
	"prelu":   "PReLU",
	"relu":    "ReLU",
	"rmsprop": "RMSProp",
}

// goName turns a config key (or a search or metric name) into an exported
// Go identifier; see the package documentation for the rule. The result is
// not unique: two keys may give the same name, which the callers resolve.
func goName(key string) string {
	name := joinWords(key)
	if r, _ := utf8.DecodeRuneInString(name); name == "" || !unicode.IsUpper(r) {
		// A digit, a letter without case, or nothing at all: Go exports
		// only names that start with an upper-case letter.
		name = "X" + name
	}
	return name
}

// joinWords splits s into words and joins them, each spelled as in a Go
// name. Runes other than letters and digits only separate words.
func joinWords(s string) string {
	var b strings.Builder
	for _, w := range splitWords(s) {
		b.WriteString(spellWord(w))
	}
	return b.String()
}

// splitWords splits s at every rune that is neither a letter nor a digit,
// between a lower-case letter and an upper-case one ("batchSize"), and
// before the last capital of a run followed by a lower-case letter
// ("HTTPServer" -> "HTTP", "Server").
func splitWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(r) {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// spellWord spells one word: special words and initialisms as listed (an
// initialism followed by a plural s keeps it lower-case: "ids" -> "IDs"),
// a word in capitals that is not an initialism in title case ("MAX" ->
// "Max"), and any other word with its first letter in upper case.
func spellWord(w string) string {
	lower, upper := strings.ToLower(w), strings.ToUpper(w)
	if s, ok := specialWords[lower]; ok {
		return s
	}
	if initialisms[upper] {
		return upper
	}
	if len(w) > 2 && strings.HasSuffix(lower, "s") && initialisms[upper[:len(upper)-1]] {
		return upper[:len(upper)-1] + "s"
	}
	if w == upper && utf8.RuneCountInString(w) > 1 && w != lower {
		w = lower
	}
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}

// valueName is the part of a categorical constant's name after the type
// name: the value's words for a string, True or False for a bool, the
// number with "." written "_" and "-" written "Neg" for a number ("0.1" ->
// "0_1"). It is "" when a string value has no letter or digit.
func valueName(v any) string {
	switch v := v.(type) {
	case string:
		return joinWords(v)
	case bool:
		if v {
			return "True"
		}
		return "False"
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if strings.HasPrefix(s, "-") {
			s = "Neg" + s[1:]
		}
		return strings.ReplaceAll(s, ".", "_")
	}
	return ""
}

// constName joins a type name and a value name, with "_" between two
// digits so that BatchSize2 and 4 do not read as BatchSize24.
func constName(typeName, value string) string {
	last, _ := utf8.DecodeLastRuneInString(typeName)
	first, _ := utf8.DecodeRuneInString(value)
	if unicode.IsDigit(last) && unicode.IsDigit(first) {
		return typeName + "_" + value
	}
	return typeName + value
}

// namespace hands out unique identifiers: a taken name gets the smallest
// suffix 2, 3, ... that is free (after "_" when it ends in a digit).
type namespace map[string]bool

func (ns namespace) take(name string) string {
	if !ns[name] {
		ns[name] = true
		return name
	}
	sep := ""
	if r, _ := utf8.DecodeLastRuneInString(name); unicode.IsDigit(r) {
		sep = "_"
	}
	for i := 2; ; i++ {
		n := name + sep + strconv.Itoa(i)
		if !ns[n] {
			ns[n] = true
			return n
		}
	}
}

// fieldNames gives the keys of one object unique Go field names. Keys are
// taken in sorted order; when several keys share a name the first keeps
// it and the others get a suffix. reserved names (methods of the type) are
// never used as field names.
func fieldNames(keys []string, reserved ...string) map[string]string {
	ns := namespace{}
	for _, r := range reserved {
		ns[r] = true
	}
	base := make(map[string]string, len(keys))
	out := make(map[string]string, len(keys))
	// First pass: the first key of every name keeps it, so that a later
	// key's suffix never steals a name another key would get unsuffixed.
	for _, k := range keys {
		n := goName(k)
		base[k] = n
		if !ns[n] {
			ns[n] = true
			out[k] = n
		}
	}
	for _, k := range keys {
		if _, ok := out[k]; !ok {
			out[k] = ns.take(base[k])
		}
	}
	return out
}
