package traces

import (
	"fmt"
	"io"
	"strings"

	"github.com/timewait/timewait/model"
)

// StateGraphTooLargeError is returned by [WriteDOT] when the configuration
// has more reachable states than the caller allowed.
type StateGraphTooLargeError struct {
	Max   int // the limit
	Found int // states found when the exploration stopped (Max+1)
}

// Error says how far the exploration got and what to do instead.
func (e *StateGraphTooLargeError) Error() string {
	return fmt.Sprintf("the reachable state graph has more than %d states (stopped after finding %d); "+
		"write the trace from a smaller configuration (e.g. timewait check --incarnations 1 --dup 0 --loss 1 "+
		"--property P --trace-out F), or draw the path alone (--format dot)", e.Max, e.Found)
}

// WriteDOT writes the reachable state graph of r.Config in Graphviz DOT,
// with r's run highlighted: its states and steps bold red, and the state
// where the property is violated (or the witness reached; the last state if
// neither can be found again) double-circled.
//
// The graph is explored breadth-first from model.New(r.Config).Init(),
// successors in the model's fixed order, so node numbers (s0, s1, ...) are
// the order of discovery and the output is deterministic. It refuses, with a
// [*StateGraphTooLargeError], a configuration with more than maxStates
// reachable states; the error says how many were found before stopping.
// Nodes are labelled with both endpoints' connection states and the number
// of copies in flight (the full state is the tooltip); edges with the action
// verb (deliver, drop, dup, close, connect, timeout, tick), one edge per
// distinct (source, verb, target).
func WriteDOT(w io.Writer, r Replayed, maxStates int) error {
	if maxStates < 1 {
		return fmt.Errorf("dot: maxStates must be positive, got %d", maxStates)
	}
	m, err := model.New(r.Config)
	if err != nil {
		return fmt.Errorf("dot: %w", err)
	}
	index := map[model.State]int{}
	var order []model.State
	type edge struct {
		from, to int
		verb     string
	}
	var edges []edge
	seen := map[edge]bool{}
	add := func(s model.State) (int, bool) {
		if i, ok := index[s]; ok {
			return i, true
		}
		if len(order) == maxStates {
			return 0, false
		}
		index[s] = len(order)
		order = append(order, s)
		return len(order) - 1, true
	}
	for _, s := range m.Init() {
		if _, ok := add(s); !ok {
			return &StateGraphTooLargeError{Max: maxStates, Found: maxStates + 1}
		}
	}
	for next := 0; next < len(order); next++ {
		from := next
		full := false
		m.Successors(order[from], func(l model.Label, s model.State) {
			if full {
				return
			}
			to, ok := add(s)
			if !ok {
				full = true
				return
			}
			e := edge{from, to, l.Action.Kind.String()}
			if !seen[e] {
				seen[e] = true
				edges = append(edges, e)
			}
		})
		if full {
			return &StateGraphTooLargeError{Max: maxStates, Found: maxStates + 1}
		}
	}

	path := runStates(r)
	onPath := map[int]bool{}
	pathEdge := map[edge]bool{}
	for i, s := range path {
		k, ok := index[s]
		if !ok {
			return fmt.Errorf("dot: state %d of the run is not reachable in its configuration (does the trace belong to it?)", i)
		}
		onPath[k] = true
		if i > 0 {
			pathEdge[edge{index[path[i-1]], k, r.Steps[i-1].Label.Action.Kind.String()}] = true
		}
	}
	final := index[path[dotMarked(r)]]

	var b strings.Builder
	dotHeader(&b, r, fmt.Sprintf("%d reachable states, %d edges", len(order), len(edges)))
	for i, s := range order {
		attrs := []string{"label=" + dotQuote(dotBrief(s)), "tooltip=" + dotQuote(s.String())}
		attrs = append(attrs, dotPathNode(onPath[i], i == final)...)
		fmt.Fprintf(&b, "  s%d [%s];\n", i, strings.Join(attrs, ", "))
	}
	for _, e := range edges {
		attrs := []string{"label=" + dotQuote(e.verb)}
		if pathEdge[e] {
			attrs = append(attrs, dotPathEdge()...)
		}
		fmt.Fprintf(&b, "  s%d -> s%d [%s];\n", e.from, e.to, strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// WriteDOTPath writes r's run alone in Graphviz DOT: one node per state
// (p0 the initial state, pi the state after step i; labelled with the
// model time in ticks), one edge per step
// labelled with its number, verb and emitted copies, drawn as [WriteDOT]
// draws the path (bold red, the violating or witness state double-circled).
// It works for any configuration size. A state the run visits twice is
// drawn twice.
func WriteDOTPath(w io.Writer, r Replayed) error {
	path := runStates(r)
	final := dotMarked(r)
	var b strings.Builder
	dotHeader(&b, r, fmt.Sprintf("the run alone: %d steps", len(r.Steps)))
	times := Times(r)
	for i, s := range path {
		label := fmt.Sprintf("%d (t=%s)\n%s", i, clock(times[i], max(r.Config.Grid, 1)), dotBrief(s))
		attrs := []string{"label=" + dotQuote(label), "tooltip=" + dotQuote(s.String())}
		attrs = append(attrs, dotPathNode(true, i == final)...)
		fmt.Fprintf(&b, "  p%d [%s];\n", i, strings.Join(attrs, ", "))
	}
	for i, st := range r.Steps {
		l := st.Label
		label := fmt.Sprintf("%d. %s", i+1, l.Action.Kind)
		switch l.Action.Kind {
		case model.ActDeliver, model.ActDrop, model.ActDuplicate:
			g := l.Action.Seg
			label += fmt.Sprintf(" %s>%s %s", g.Src, g.Src.Peer(), g.Flags)
		case model.ActClose, model.ActConnect:
			label += " " + l.Action.Side.String()
		case model.ActTimeout:
			label += fmt.Sprintf(" %s %s", l.Action.Side, l.Action.Timer)
		}
		for _, g := range l.Emitted() {
			label += fmt.Sprintf("\n→ %s>%s %s", g.Src, g.Src.Peer(), g.Flags)
		}
		attrs := append([]string{"label=" + dotQuote(label), "tooltip=" + dotQuote(l.String())}, dotPathEdge()...)
		fmt.Fprintf(&b, "  p%d -> p%d [%s];\n", i, i+1, strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// runStates is the run's states: the initial state, then one per step.
func runStates(r Replayed) []model.State {
	out := make([]model.State, 0, len(r.Steps)+1)
	for i := 0; i <= len(r.Steps); i++ {
		out = append(out, r.State(i))
	}
	return out
}

// dotMarked is the index into runStates of the state to double-circle:
// where the property is violated or the witness reached, else the last.
func dotMarked(r Replayed) int {
	if at := Evaluate(r, exportProperty(r)); at >= 0 {
		return at
	}
	return len(r.Steps)
}

// dotPathEdge are the attributes of an edge on the run's path.
func dotPathEdge() []string {
	return []string{"color=red", "fontcolor=red", "penwidth=2.5", "style=bold"}
}

func dotPathNode(onPath, final bool) []string {
	var out []string
	if final {
		out = append(out, "shape=doublecircle")
	}
	if onPath {
		out = append(out, "color=red", "fontcolor=red", "penwidth=2.5", `style="rounded,bold"`)
	}
	return out
}

// dotHeader opens the digraph and says what it shows.
func dotHeader(b *strings.Builder, r Replayed, what string) {
	p := exportProperty(r)
	kind := r.Trace.Kind
	if kind == "" {
		kind = KindCounterexample
	}
	title := fmt.Sprintf("%s (%s)\nMSL=%d TW=%d grid=%d loss=%d dup=%d incarnations=%d",
		exportWhat(kind, p.ID), what, r.Config.MSL, r.Config.TW, r.Config.Grid, r.Config.Loss, r.Config.Dup, r.Config.Incarnations)
	b.WriteString("digraph timewait {\n")
	fmt.Fprintf(b, "  label=%s;\n", dotQuote(title))
	b.WriteString("  labelloc=t;\n  rankdir=TB;\n")
	b.WriteString("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9];\n")
}

// dotBrief is a node label: both endpoints' connection states and the
// number of copies in flight.
func dotBrief(s model.State) string {
	return fmt.Sprintf("A %s\nB %s\n%d in flight", s.Ends[model.A].St, s.Ends[model.B].St, s.Net.Len())
}

// dotQuote writes s as a DOT quoted string: backslashes and quotes escaped,
// newlines as \n (centred lines).
func dotQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	s = strings.ReplaceAll(s, "\n", `\n`)
	return `"` + s + `"`
}
