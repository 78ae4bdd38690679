// Package gen generates the Go code of fwgen: typed config structs, their
// defaults and checks, and a trial harness, from a loaded definition. It
// builds the code with github.com/dave/jennifer.
//
// # Contract
//
//   - Generate returns one gofmt'd Go file whose first line matches
//     ^// Code generated .* DO NOT EDIT\.$. Its output is a pure function
//     of the definition and the options: generating twice gives the same
//     bytes. The code compiles and passes go vet whatever the keys, values
//     and names of the search files; a key that cannot be a JSON tag (one
//     with a comma or a quote, say) is a diagnostic.
//   - Every problem is an hcl.Diagnostic, with the source range of the
//     base_config or param it concerns when there is one; nothing panics.
//     With error diagnostics Generate returns no source; warnings (a base
//     value outside its param's space) come with it.
//   - SchemaFingerprint(def, search) equals the SchemaFingerprint constant
//     of Generate(def, Options{Search: search}). SchemaFingerprints lists
//     the fingerprints a program built for one search may report when its
//     code is current (generated for that search alone, or for all).
//
// # What the file declares
//
// For the selected searches (Options.Search, or all of the definition):
//
//   - Config, a struct tree of base_config with the params set, and one
//     struct type per nested object, named after its path: "training" gives
//     Training, "model.encoder" ModelEncoder, objects in a list
//     "model.blocks" ModelBlocksItem. Fields carry `json:"key"` tags with
//     the original keys, in sorted key order; searched fields carry a doc
//     comment with their range or values.
//   - For each categorical param a named type with one constant per value
//     and a Valid method: `type Optimizer string` with OptimizerAdam,
//     OptimizerSGD and OptimizerRMSProp; `type BatchSize int` with
//     BatchSize32; `type Dropout float64` with Dropout0_1; `type UseBias
//     bool` with UseBiasTrue and UseBiasFalse. The type is named after the
//     param's last key, or after its whole path when two categoricals share
//     that name or a struct type has it.
//   - Defaults() Config: the base config as a Go literal. Fields that
//     base_config leaves out (a param that adds a leaf, a null) keep their
//     zero value.
//   - (Config) Validate() error: every violated bound, integer or real step
//     and categorical value, each error naming the JSON path
//     ("training.lr: 0.5 is above the maximum 0.01"), joined with
//     errors.Join; nil when the config is one the search can produce.
//   - Metrics, a struct of float64 fields tagged with the search's metrics
//     (the objective always among them); the constants Metric (the
//     objective), Search (the search's name) and SchemaFingerprint (hex
//     SHA-256 of the type model: paths, Go names and types, constraints,
//     metrics); and Main, which runs a train function through
//     runtime.Harness[Config, Metrics].
//
// # Go names
//
// A key becomes an exported Go name by splitting it into words at every
// rune that is neither a letter nor a digit ("batch_size", "a-b"), between
// a lower-case and an upper-case letter ("batchSize") and before the last
// capital of a run followed by a lower-case letter ("HTTPServer" ->
// "HTTP", "Server"). Each word is then spelled:
//
//   - an initialism in capitals: golint's list (ACL API ASCII CPU CSS DNS
//     EOF GUID HTML HTTP HTTPS ID IP JSON LHS QPS RAM RHS RPC SLA SMTP SQL
//     SSH TCP TLS TTL UDP UI UID UUID URI URL UTF8 VM XML XMPP XSRF XSS)
//     and machine-learning ones (AUC CNN ELU GELU GPU GRU KL KNN LR LSTM
//     MAE MLP MSE NLL PCA RMS RMSE RNN ROC SELU SGD SVM TPU); a plural
//     keeps its s: "user_ids" -> UserIDs;
//   - a few words by convention: relu -> ReLU, prelu -> PReLU, rmsprop ->
//     RMSProp, adamw -> AdamW;
//   - a word in capitals that is no initialism in title case ("MAX" ->
//     Max), any other word with its first letter upper-cased.
//
// So lr -> LR, batch_size -> BatchSize, hidden_dim -> HiddenDim, id -> ID,
// url -> URL, api_key -> APIKey, http_url -> HTTPURL. A name that does not
// start with an upper-case letter (a leading digit, a letter without case,
// no letter at all) gets an X in front: "2d_conv" -> X2dConv. Go keywords
// need nothing more, since they are lower-case: "type" -> Type.
//
// Names are unique where Go needs them to be. Within a struct the keys are
// taken in sorted order; when several give one name, the first keeps it
// and the others get the smallest free suffix 2, 3, ... ("a-b" -> AB,
// "a_b" -> AB2), written after "_" when the name ends in a digit. Config
// does not use the names of its methods: a key "validate" becomes
// Validate2. Package-level names (types, constants) are given in the order
// reserved names (Config, Defaults, Main, Metric, Metrics,
// SchemaFingerprint, Search and the per-search names below), struct types,
// categorical types, constants, with the same suffix rule. Helpers of the
// generated code start with "fw" and are unexported, so they never clash.
// A constant joins its type's name and its value's name: a string's words
// as above (an empty name gives Value1, Value2, ... by position), True or
// False, a number with "." written "_" and a minus written "Neg"; "_"
// separates a type name ending in a digit from a number.
//
// # Go types
//
//   - A real param gives float64; an integer param int (int64 when its
//     bounds do not fit 32 bits, so the code compiles everywhere).
//   - A base value that no param searches: string, bool; a whole number
//     int (int64 beyond 32 bits); any other number float64. HCL writes 1.0
//     as the whole number 1, so a whole base value is int unless a real
//     param searches the path, or go_types says otherwise.
//   - A list gives a slice. Its element type unifies the elements: numbers
//     widen (int, int64, float64: [0.5, 1] is []float64), objects merge key
//     by key into one struct type, lists element-wise; elements that still
//     differ, and nulls, give []any. An empty list is []any.
//   - null gives any, whose value decodes as encoding/json decodes into an
//     any (numbers as float64); with a go_types entry it gives *T.
//   - A categorical gives a named type over string, bool, or for numbers
//     int when every value and the base value is whole (int64 beyond 32
//     bits), else float64.
//   - go_types = { "path" = "T" } (bool, float64, int, int64 or string)
//     overrides the type of a leaf, of a list's elements, or the type under
//     a categorical. An override that cannot hold a value (int for a real
//     param or a fractional value, string for a number) is a diagnostic.
//
// # Several searches
//
// The searches of a package share one Config type. Their type trees are
// merged path by path: a path missing from a search is simply absent from
// its base config; null or an empty list takes the other search's type; a
// categorical absorbs plain values of its Go type and the values of the
// other search's categorical (Valid accepts the union); any other
// difference (int against float64, an object against a string) is an
// error diagnostic on one search's base_config or param that names the
// other's file:line. The searches must share the objective metric; their
// metrics lists are merged.
//
// Ranges may differ between the searches. The package then declares
// SearchX constants with the searches' names, DefaultsForX (each search's
// base_config; Defaults merges them, the first search in source order
// winning) and ValidateForX (each search's checks), where X is the
// search's Go name. Validate accepts the union: a config passes when one
// of the searches can produce it, so it never rejects a trial config, and
// otherwise reports every search's violations prefixed by the search's
// name. Use fwgen -search=NAME for a package of one search with exact
// checks.
package gen
