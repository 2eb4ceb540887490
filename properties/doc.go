// Package properties is the catalogue of timewait's named properties: the
// safety properties TIME-WAIT exists for, each with a stable kebab-case ID, the
// RFC text it rests on, and a reachability witness that must be found for a
// green run to mean anything.
//
// A property is a predicate over a model transition (from, label, to) or a
// model state; it reads ghost fields of [model.State] and [model.Segment]
// (incarnation tags, the TIME-WAIT history) that no model rule reads.
//
// Import rule: package properties imports only the standard library and
// package model (never checker, traces or the CLI); the CLI adapts these
// predicates to the checker by assignment.
package properties
