// Package hcl loads a directory of *.fw.hcl files into a
// definition.Definition, following the language of docs/language.md.
//
// Contract:
//   - Every problem with the input is an hcl.Diagnostic with a source range
//     (file:line:column of the offending expression) where the input has one;
//     command-line inputs (-var) carry none. All problems of a load are
//     reported, not only the first, and no input makes the loader panic.
//   - A load with error diagnostics returns a nil Definition.
//   - Variables are set, from lowest to highest precedence, by their
//     default, by FW_VAR_name in the environment, by -var-file files in the
//     order given, and by -var flags in the order given.
//   - Locals (locals.go) are the attributes of any number of top-level
//     locals blocks, one namespace per directory, read as local.NAME
//     wherever var.NAME may be read (not in the frameworm block nor in
//     variable defaults). A name defined twice, a cycle among locals (named,
//     at one of its references) and a reference to an undeclared local are
//     located errors. A local with an error, or reading one, has no value
//     and brings about no further error. Locals are evaluated once each, in
//     dependency order, in time linear in their number and references,
//     without recursion; a local's value is bounded like decoded data
//     (MaxNesting deep, MaxDecodedValues values).
//   - Searches may read other searches (upstream.go, refine.go):
//     search.NAME.best and search.NAME.top in a search block (not in
//     strategy, metric, mode, parallelism, experiment_root, nor outside
//     search blocks), and refine { from = search.NAME }. The references
//     form a graph checked without the state: a cycle, an undeclared
//     search, an unknown field or param are located errors with
//     suggestions. Searches are decoded in dependency order and listed in
//     source order. Options.Outcomes is asked once for the outcome of each
//     decoded, non-deferred search that another reads, and never for
//     others. A search reading an outcome that is not known (nil
//     Outcomes, trials to run, a deferred search) whose definition then
//     holds unknown values is returned with Deferred set and only the
//     fields definition.Search documents for it; otherwise it is resolved
//     with the values, so its fingerprints cover them.
//   - A param's `when` (when.go) reads config (base_config with the params
//     declared before it set), var, local and the functions. A config
//     path that is neither in base_config nor an earlier param, one that
//     a later param searches or that holds one, and a result other than
//     true or false on the probe configs of the earlier params are
//     located errors. The search's Space is then conditional
//     (space.NewConditional), each condition declaring the earlier params
//     it reads; Param.When holds the canonical text the fingerprints hash.
//   - Nothing here starts processes; the only files read are the search
//     files, the -var-file files and what file() reads.
//   - What is parsed is bounded before a parser sees it (limits.go,
//     decode.go): search files, -var-file files, -var values parsed as
//     HCL and the texts of jsondecode and yamldecode are at most
//     MaxSourceSize bytes and nest at most MaxNesting deep, and one
//     yamldecode yields at most MaxDecodedValues values, aliases expanded.
//     A breach is an error diagnostic, located where the input has a
//     source; no input may crash the process by exhausting its stack.
//   - A required attribute that is null is an error like a missing one;
//     an optional attribute that is null is absent.
//   - experiment_root may be absolute but not the filesystem root nor
//     with ".." segments; a relative one stays inside the directory of
//     the search files.
//   - The frameworm block (backend.go) is at most one per directory and
//     holds literal constants only. LoadBackend reads it alone, finding
//     it with the lexer, so that errors elsewhere in the files do not hide
//     where the state is; it reports the same diagnostics for the block as
//     LoadDir. A conn_str password never appears in a diagnostic's text,
//     and the files a load returns for snippets have it masked.
//   - Executor blocks (executor.go) are search configuration: their values
//     may use variables and functions. A trial names its executor with a
//     reference, executor.TYPE.NAME, resolved to the block (or a located
//     error); without one its trials run in the local process pool. A
//     search that runs on Slurm with experiment_root under /tmp, /var/tmp
//     or /dev/shm gets a warning: the cluster's nodes must share the trial
//     directories. The executor is not part of a search's meaning.
//   - Pruner blocks (pruner.go) are at most one per search, of kind
//     "median" or "asha", each taking its own attributes, defaults filled
//     in. Only there is base_config bound, to the search's base config,
//     and a reference to a path it does not have is a located error. The
//     pruner is not part of a search's fingerprints (it is of Settings).
package hcl
