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
//   - Nothing here starts processes; the only files read are the search
//     files, the -var-file files and what file() reads.
package hcl
