package checker

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Model is an explicit-state transition system. Successors must be pure and
// deterministic: the same state always yields the same (label, next) sequence
// in the same order. See the package documentation for the full contract.
type Model[S comparable, L any] interface {
	// Init returns the initial states. Duplicates are ignored.
	Init() []S
	// Successors calls emit once per outgoing transition of s.
	Successors(s S, emit func(label L, next S))
}

// Kind says whether a property is a safety (Always) or a reachability
// (Sometimes) property.
type Kind uint8

const (
	// Always is a safety property: it must hold on every reached state and on
	// every explored transition.
	Always Kind = iota + 1
	// Sometimes is a reachability property: some reached state or explored
	// transition must satisfy it (a witness).
	Sometimes
)

// String returns "always" or "sometimes".
func (k Kind) String() string {
	switch k {
	case Always:
		return "always"
	case Sometimes:
		return "sometimes"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Property is a named predicate over states and/or transitions.
//
// For Always, State (if non-nil) must return true on every reachable state,
// initial states included, and Step (if non-nil) must return true on every
// explored transition. For Sometimes, the property is found when State returns
// true on a reached state or Step returns true on an explored transition. At
// least one of State and Step must be non-nil.
type Property[S comparable, L any] struct {
	Name  string
	Kind  Kind
	State func(s S) bool
	Step  func(from S, label L, to S) bool
}

// Options bounds and instruments a search. The zero value explores the whole
// state space without progress reporting.
type Options struct {
	// MaxStates, if positive, is the maximum number of distinct states stored.
	// Discovering a further state stops the search (StopReason "max-states").
	// A space with exactly MaxStates states is still explored completely.
	MaxStates int
	// MaxDepth, if positive, is the BFS depth whose states are not expanded.
	// If any state at that depth has at least one successor the result is
	// incomplete (StopReason "max-depth"). States at that depth are still
	// checked by State predicates and counted as deadlocks if they have no
	// successors; their transitions are neither counted nor checked.
	MaxDepth int
	// Progress, if non-nil, is called from the calling goroutine about every
	// ProgressEvery while Check runs, and never after it returns.
	Progress func(Progress)
	// ProgressEvery is the progress interval; it defaults to one second.
	ProgressEvery time.Duration
	// StopWhenDecided stops the search as soon as every Always property is
	// violated and every Sometimes property is found. It has no effect when
	// there are no properties. The result stays incomplete unless the whole
	// space was in fact explored; per-property verdicts are final.
	StopWhenDecided bool
	// Workers is the number of goroutines that expand states; 0 means
	// runtime.GOMAXPROCS(0). Results (counts, verdicts, paths) are the same
	// for every value. With more than one worker, Successors and the
	// property predicates are called from several goroutines at once.
	Workers int
	// Store selects the visited set (see [StoreMode]); the zero value is
	// [StoreAuto].
	Store StoreMode
	// ExactLimit is the number of states StoreAuto keeps exactly before it
	// switches to fingerprints; 0 means [DefaultExactLimit].
	ExactLimit int
	// MaxMemory, if positive, bounds in bytes the visited set plus the
	// level arrays and the candidate buffers. A batch of a level (at most
	// 16,384 expanded states) that would exceed it stops the search before
	// it is merged (StopReason "memory"); results are those of the states
	// merged before it.
	MaxMemory int64
	// PackLevel is the level size, in states, from which the next level is
	// kept packed: each state's zero bytes left out, a byte per 8-byte
	// group added (the TCP model's 120-byte states take about 50 bytes).
	// It applies to state types without pointers of at least 32 bytes,
	// and stops once a packed level saves less than an eighth. It changes
	// nothing but the memory the search holds (the level arrays, and a
	// buffer per chunk that a packed level is decoded into), and so where
	// a MaxMemory bound stops. 0 means [DefaultPackLevel]; negative never
	// packs.
	PackLevel int
	_         struct{}

	// batch is the number of chunks per batch (0: batchChunks); tests set
	// it small so that small graphs' levels span several batches.
	batch int
	// packForce packs levels whatever the state's size and the savings,
	// so that the tests' graphs of uint64 states exercise packed levels.
	packForce bool
	// audit, if set, is called at the end of every batch's merge with the
	// memory the bound counted before the merge and a recount of what the
	// search then held: the level arrays and every chunk slot's buffers
	// (every slice field of the slot but those uncounted names) recounted
	// from their capacities, plus the visited set's figure (the same on
	// both sides, less the path logs' growth during the merge). When the
	// merge stores every first occurrence (no halt), the two are equal
	// unless the running count leaves out one of those buffers or the next
	// level's growth. Buffers outside both
	// figures: the merge's records, the emission counts and property hits
	// of a batch, all small beside the candidates.
	audit func(counted, recount int64)
}

// Progress is a snapshot of a running search. States are stored a batch
// (at most 16,384 expanded states) at a time, so States grows at each
// batch's end; Transitions and Queue move while a batch is expanded.
type Progress struct {
	States      int           // distinct states stored so far
	Transitions int           // transitions explored so far
	Depth       int           // maximum BFS depth of any stored state
	Queue       int           // states of the current level not yet expanded
	Memory      int64         // bytes held by the visited set, the level arrays and the candidate buffers (peak so far)
	Elapsed     time.Duration // time since Check started
}

// Verdict is the outcome of checking one property.
type Verdict uint8

const (
	// Holds means an Always property was never violated in a complete search.
	Holds Verdict = iota + 1
	// Violated means a counterexample to an Always property was found. It is
	// final even if the search was incomplete.
	Violated
	// Found means a witness for a Sometimes property was found.
	Found
	// NotFound means a complete search found no witness for a Sometimes
	// property.
	NotFound
	// Incomplete means no violation or witness was found, but the search was
	// stopped by a bound, a cancellation or an early stop.
	Incomplete
)

// String returns "holds", "violated", "found", "not-found" or "incomplete".
func (v Verdict) String() string {
	switch v {
	case Holds:
		return "holds"
	case Violated:
		return "violated"
	case Found:
		return "found"
	case NotFound:
		return "not-found"
	case Incomplete:
		return "incomplete"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// PropertyResult is the verdict for one property.
type PropertyResult[S comparable, L any] struct {
	Name    string
	Kind    Kind
	Verdict Verdict
	// Path is a shortest counterexample (Violated) or a shortest witness
	// (Found); nil otherwise.
	Path *Path[S, L]
	// States and Transitions are the numbers of distinct states stored and
	// transitions explored when the verdict was reached (the totals for
	// Holds, NotFound and Incomplete).
	States, Transitions int
	// Depth is the maximum BFS depth of any stored state at that moment.
	Depth int
}

// Result summarises a search.
type Result[S comparable, L any] struct {
	States      int // distinct states stored
	Transitions int // transitions explored (every emission, including ones to seen states)
	Depth       int // maximum BFS depth of any stored state
	// Complete is true only if every reachable state was expanded: no bound,
	// cancellation or early stop cut anything off.
	Complete bool
	// StopReason is "" if Complete, else "max-states", "max-depth",
	// "memory", "cancelled" or "decided".
	StopReason string
	Elapsed    time.Duration
	// Properties holds one result per property, in the order given to Check.
	Properties []PropertyResult[S, L]
	// Deadlocks is the number of reached states with no successors.
	Deadlocks int
	// Deadlock is a shortest path to the first deadlock found (nil if none).
	Deadlock *Path[S, L]
	// Store is the visited set in use at the end: StoreExact,
	// StoreFingerprint or StoreMap.
	Store StoreMode
	// Collision estimates the probability that a fingerprint collision made
	// the search omit a state (n²/2⁶⁵ for n states; 0 for an exact store).
	Collision float64
	// VisitedBytes is the peak memory of the visited set, including the
	// parent links and emission ordinals kept to rebuild paths.
	VisitedBytes int64
	// PeakBytes is the peak memory of the visited set plus the two level
	// arrays (the level expanded and the next) and the candidate buffers
	// of a batch, as the memory bound counts them.
	PeakBytes int64
	// Workers is the number of goroutines used.
	Workers int
}

// Stop reasons reported in Result.StopReason.
const (
	stopMaxStates = "max-states"
	stopMaxDepth  = "max-depth"
	stopCancelled = "cancelled"
	stopDecided   = "decided"
	stopMemory    = "memory"
)

// ErrNondeterministic is returned (wrapped) by Check when rebuilding a path
// shows that the model broke the determinism contract.
var ErrNondeterministic = errors.New("checker: model is not deterministic")

// Check explores m breadth-first from m.Init() and checks props on the way.
//
// It returns an error only for invalid arguments (nil model, a property with
// an empty or duplicate Name, an unknown Kind, both predicates nil, negative
// options), for a model found to be nondeterministic ([ErrNondeterministic]),
// or for context cancellation, in which case the partial Result (Complete
// false, StopReason "cancelled") is returned together with ctx.Err().
func Check[S comparable, L any](ctx context.Context, m Model[S, L], props []Property[S, L], opts Options) (Result[S, L], error) {
	if err := validate(m, props, opts); err != nil {
		return Result[S, L]{}, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	e := newExplorer(ctx, m, props, opts)
	e.run()
	res, err := e.result()
	if err != nil {
		return res, err
	}
	if e.cancelled {
		return res, ctx.Err()
	}
	return res, nil
}

// Reachable returns the number of distinct states stored by a property-free
// Check with the same bounds (the number of reachable states when the search
// is complete). The error is as for Check.
func Reachable[S comparable, L any](ctx context.Context, m Model[S, L], opts Options) (int, error) {
	res, err := Check(ctx, m, nil, opts)
	return res.States, err
}

func validate[S comparable, L any](m Model[S, L], props []Property[S, L], opts Options) error {
	if m == nil {
		return errors.New("checker: nil model")
	}
	if opts.MaxStates < 0 || opts.MaxDepth < 0 || opts.ProgressEvery < 0 || opts.Workers < 0 ||
		opts.ExactLimit < 0 || opts.MaxMemory < 0 {
		return errors.New("checker: negative MaxStates, MaxDepth, ProgressEvery, Workers, ExactLimit or MaxMemory")
	}
	if opts.Store > StoreMap {
		return fmt.Errorf("checker: unknown store mode %d", uint8(opts.Store))
	}
	if inner, _ := unreduced(m); !isHasher(inner) && opts.Store == StoreFingerprint {
		return errors.New("checker: StoreFingerprint needs a model that implements Hasher")
	}
	seen := make(map[string]bool, len(props))
	for i, p := range props {
		if p.Name == "" {
			return fmt.Errorf("checker: property %d has an empty name", i)
		}
		if seen[p.Name] {
			return fmt.Errorf("checker: duplicate property name %q", p.Name)
		}
		seen[p.Name] = true
		if p.Kind != Always && p.Kind != Sometimes {
			return fmt.Errorf("checker: property %q has unknown kind %d", p.Name, uint8(p.Kind))
		}
		if p.State == nil && p.Step == nil {
			return fmt.Errorf("checker: property %q has neither State nor Step", p.Name)
		}
	}
	return nil
}
