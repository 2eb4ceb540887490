// Package checker is a generic, explicit-state, breadth-first explorer for
// model checking.
//
// It owns three things and nothing else:
//
//   - Exploration: a level-synchronous breadth-first search over the states
//     of a [Model], parallel over [Options.Workers] goroutines with results
//     that do not depend on their number; a visited set that is exact or
//     keeps 64-bit fingerprints ([StoreMode]); bounded optionally by
//     [Options.MaxStates], [Options.MaxDepth] and [Options.MaxMemory], and
//     cancellable through a context. Large levels of pointer-free states
//     are kept packed, zero bytes left out ([Options.PackLevel]).
//   - Shortest counterexamples and witnesses: every [Property] is checked in
//     breadth-first order, so the first violation (or witness) recorded for a
//     property is a shortest one. Paths are rebuilt from parent links by
//     re-running [Model.Successors], so no labels are stored per state.
//   - Honest completeness: [Result.Complete] is true only if every reachable
//     state was expanded. A search stopped by a bound, a cancellation or an
//     early stop never reports [Holds] or [NotFound]; it reports [Incomplete]
//     for undecided properties. [Violated] and [Found] are final regardless.
//
// Besides, [CheckFamily] explores a family of models that share one state
// encoding ([FamilyModel]: the members of a sweep's TIME-WAIT column) in one
// search, expanding each state once for all the members that reach it; it
// decides violations and counts per member but builds no paths.
//
// [Reduce] adds a symmetry reduction to a model: the search stores one
// representative of each orbit of a group of automorphisms, with the same
// verdicts and shortest paths that are runs of the model itself.
//
// The package is domain-agnostic: it must not import anything from this module
// (only the standard library), so that models of any protocol can be checked
// with it.
//
// # Determinism contract for models
//
// A [Model] must be pure and deterministic. [Model.Init] must return the same
// states on every call, and for a given state [Model.Successors] must emit the
// same (label, next) sequence, in the same order, every time it is called; it
// must not retain or call emit after returning. With more than one worker,
// Successors, Hash and the property predicates are called from several
// goroutines at once, so they must be safe for concurrent use. The explorer relies on this to
// rebuild paths: a step is identified by its parent state and the ordinal of
// its emission. Results (paths included) are then a deterministic function of
// the model, the properties and the options. States are compared with ==, so a
// state type must not contain values that are unequal to themselves (NaN).
package checker
