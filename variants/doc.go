// Package variants is the catalogue of named spec variants: TCP stacks'
// TIME-WAIT behaviours (RFC 793's literal text, RFC 1337, small stacks
// without TIME-WAIT, clients that never reuse a port, ...) expressed as
// configurations of the model's rules. Each variant says which rules it sets,
// the RFC or source text it encodes, and whether it fixes TIME-WAIT's length
// (so that sweeping TW is meaningless for it and a sweep varies MSL instead).
//
// Import rule: variants imports model only.
package variants
