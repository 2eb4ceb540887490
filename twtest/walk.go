package twtest

import (
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// Weights are the relative chances of the actions of a random walk. At each
// step every enabled action gets the weight of its kind — a delivery by the
// copy's age — multiplied by ISSOverlap when it applies, and one action is
// drawn with probability proportional to its weight, from fair bits of
// rapid's bit stream (so that rapid can replay and shrink the walk).
// A weight of 0 never draws that kind unless every enabled action weighs 0;
// then they are equally likely.
type Weights struct {
	Deliver     int // a copy sent at this instant (age 0)
	DeliverMid  int // a copy older than 0, below its lifetime limit
	DeliverLast int // a copy at its lifetime limit, which must go before time passes
	Drop        int
	Dup         int
	Close       int
	Connect     int // per ISS value
	Timeout     int
	Tick        int
	// ISSOverlap multiplies the weight of an action that picks the ISS of
	// a new incarnation (connect A, or a SYN delivered to LISTEN, one
	// action per ISS value) when ISS+1 equals the SEQ or ACK number of a
	// copy in flight: the worst-case overlap the model assumes, which a
	// uniform choice among the values rarely hits. 0 or 1: no bias.
	ISSOverlap int
	_          struct{}
}

// DefaultWeights favours what moves a run forward and the timing that
// breaks TIME-WAIT: a copy is delivered at once (6) or at its lifetime limit
// (12), rarely in between (1); a timer expiry weighs 12, a tick and a close
// 6, a connect 4 per ISS value; a drop or a duplication 2 each, so that the
// fault budget is not spent on the first copies in flight; and an
// overlapping ISS counts 8 times. Against uniform weights they find the
// TIME-WAIT violations at TW = 2·MSL−1 about 3 to 4 times as often for
// no-rst-on-retransmitted-fin and 5 (MSL 1) to 25 (MSL 2) times as often for
// no-stale-segment-accepted; docs/testing.md has the numbers.
func DefaultWeights() Weights {
	return Weights{Deliver: 6, DeliverMid: 1, DeliverLast: 12, Drop: 2, Dup: 2, Close: 6, Connect: 4, Timeout: 12, Tick: 6, ISSOverlap: 8}
}

func (w Weights) negative() bool {
	return w.Deliver < 0 || w.DeliverMid < 0 || w.DeliverLast < 0 || w.Drop < 0 || w.Dup < 0 ||
		w.Close < 0 || w.Connect < 0 || w.Timeout < 0 || w.Tick < 0 || w.ISSOverlap < 0
}

// of is the weight of a in s; ageLimit is the largest age a copy may be
// delivered at.
func (w Weights) of(s model.State, a model.Action, ageLimit int) int {
	var n int
	switch a.Kind {
	case model.ActDeliver:
		switch age := int(a.Seg.Age); {
		case age >= ageLimit:
			n = w.DeliverLast
		case age == 0:
			n = w.Deliver
		default:
			n = w.DeliverMid
		}
	case model.ActDrop:
		n = w.Drop
	case model.ActDuplicate:
		n = w.Dup
	case model.ActClose:
		n = w.Close
	case model.ActConnect:
		n = w.Connect
	case model.ActTimeout:
		n = w.Timeout
	case model.ActTick:
		n = w.Tick
	}
	if w.ISSOverlap > 1 && picksISS(s, a) && overlaps(s, a.ISS) {
		n *= w.ISSOverlap
	}
	return n
}

// picksISS reports whether a chooses the ISS of a new incarnation.
func picksISS(s model.State, a model.Action) bool {
	if a.Kind == model.ActConnect {
		return true
	}
	g := a.Seg
	return a.Kind == model.ActDeliver && g.Flags.Has(model.SYN) && !g.Flags.Has(model.ACK) && !g.Flags.Has(model.RST) &&
		s.Ends[g.Src.Peer()].St == model.Listen
}

// overlaps reports whether iss+1 is the SEQ or ACK number of a copy in
// flight.
func overlaps(s model.State, iss model.Seq) bool {
	next := model.Seq((int(iss) + 1) % model.SeqSpace)
	for _, c := range s.Net.Copies() {
		if c.Seq == next || (c.Flags.Has(model.ACK) && c.Ack == next) {
			return true
		}
	}
	return false
}

// WalkOptions tune random walks. The zero value is the default.
type WalkOptions struct {
	Weights  Weights // the zero value = DefaultWeights()
	TraceDir string  // "" = $TIMEWAIT_TRACE_DIR, or else t.TempDir()
	// Rounds makes a walk that many rapid.T.Repeat loops one after the
	// other, so that it averages Rounds × -rapid.steps steps (0 = 1): large
	// configurations need longer walks than rapid's default 30 steps to
	// reach their later incarnations, and -rapid.steps still scales them.
	Rounds int
	// Stats, when set, counts what the walks reach (see [WalkStats]).
	Stats *WalkStats
	_     struct{}
}

// WalkStats counts what a walker's walks reached, so that a test can show
// its walks go deep enough to mean something. rapid runs walks one at a
// time; the counts include the walks rapid replays while shrinking.
type WalkStats struct {
	Walks   int // walks run
	Steps   int // model steps taken, in all walks
	Longest int // steps of the longest walk
	// Incarnation counts walks by the highest incarnation either endpoint
	// reached (index 1..7).
	Incarnation [8]int
	// Witnesses counts, per witness ID of the properties checked, the walks
	// that reached it.
	Witnesses map[string]int
}

// DeepestIncarnation is the highest incarnation any walk reached.
func (st *WalkStats) DeepestIncarnation() int {
	for i := len(st.Incarnation) - 1; i > 0; i-- {
		if st.Incarnation[i] > 0 {
			return i
		}
	}
	return 0
}

// Walker walks one configuration's model at random under rapid, checking
// properties at every step. Build it with [NewWalker] outside the rapid
// property, and pass its Walk method to rapid.Check. It remembers only the
// last failing walk's message, to answer the same walk again at once.
type Walker struct {
	m         *model.Model
	desc      string // the configuration as the user gave it, in words
	ageLimit  int    // the largest age at which a copy may be delivered
	props     []properties.Property
	witnesses []properties.Property // of props, for stats
	w         Weights
	rounds    int
	stats     *WalkStats
	dir       string // where trace files go
	temp      bool   // dir is a t.TempDir()
	name      string // the test's name, for trace file names

	// The last failing walk and its message: rapid's shrinker replays many
	// candidates that come out as the same walk, and building the trace,
	// the timeline and the file again for each would dominate its time.
	mu       sync.Mutex
	lastActs []model.Action
	lastMsg  string
}

// NewWalker returns a walker of cfg checking props (IDs; every safety
// property when none are given), on the grid an exhaustive check of the same
// properties would use. It fails the test and returns nil on a bad
// configuration or property.
func NewWalker(t TB, cfg model.Config, props ...string) *Walker {
	t.Helper()
	return WalkOptions{}.NewWalker(t, cfg, props...)
}

// NewWalker is [NewWalker] with these options.
func (o WalkOptions) NewWalker(t TB, cfg model.Config, props ...string) *Walker {
	t.Helper()
	var ps []properties.Property
	if len(props) == 0 {
		ps = properties.Safety()
	} else {
		var ok bool
		if ps, ok = lookup(t, props); !ok {
			return nil
		}
	}
	desc := describe(cfg)
	cfg.Grid = verify.ExactGrid(cfg, ps)
	m, err := model.New(cfg)
	if err != nil {
		t.Fatalf("twtest: %v", err)
		return nil
	}
	w := o.Weights
	if w == (Weights{}) {
		w = DefaultWeights()
	}
	if w.negative() {
		t.Fatalf("twtest: negative walk weight in %+v", w)
		return nil
	}
	dir, temp, err := traceDir(t, o.TraceDir)
	if err != nil {
		t.Fatalf("twtest: trace directory: %v", err)
		return nil
	}
	rc := m.Config()
	limit := rc.Grid * rc.MSL
	if rc.Lifetime == model.Strict {
		limit--
	}
	wk := &Walker{m: m, desc: desc, ageLimit: limit, props: ps, w: w, dir: dir, temp: temp, name: t.Name(), rounds: max(o.Rounds, 1), stats: o.Stats}
	if wk.stats != nil {
		for _, p := range ps {
			if wp, ok := properties.ByID(p.Witness); ok {
				wk.witnesses = append(wk.witnesses, wp)
			}
		}
		if wk.stats.Witnesses == nil {
			wk.stats.Witnesses = map[string]int{}
		}
	}
	return wk
}

// Config returns the configuration walked, RTO and Grid resolved.
func (w *Walker) Config() model.Config { return w.m.Config() }

// Walk is a rapid property: a state-machine test (WalkOptions.Rounds
// rapid.T.Repeat loops, so that walks average Rounds × -rapid.steps steps)
// that starts in the model's
// initial state, draws one enabled action per step with the walker's
// weights, and checks every property on every state and transition. On a
// violation it builds the walk's trace (search "", a walk is not a search),
// replays it through traces.Verify, writes it as a trace file and fails with
// the timeline and the file's path; rapid then shrinks the walk, and the
// message it prints is the shrunk walk's (the file is rewritten by every
// failing walk, so it ends up holding the shrunk one).
func (w *Walker) Walk(t *rapid.T) {
	t.Helper()
	s := w.m.Init()[0]
	path := &verify.Path{Init: s}
	var reached []bool
	if w.stats != nil {
		reached = make([]bool, len(w.witnesses))
		defer func() { w.record(path, reached) }()
	}
	w.check(t, path, nil, model.Label{})
	step := func(t *rapid.T) {
		acts := w.m.Actions(s)
		if len(acts) == 0 {
			t.Fatalf("model error: no action is enabled after %d steps (a deadlock or time-lock) in %s", path.Len(), s)
			return
		}
		a := model.Action(w.draw(t, s, acts))
		next, l, ok := w.m.Step(s, a)
		if !ok {
			t.Fatalf("model error: %s is listed as enabled but does not step", a)
			return
		}
		prev := s
		path.Steps = append(path.Steps, checker.Step[model.State, model.Label]{Label: l, State: next})
		s = next
		for i, wp := range w.witnesses {
			if !reached[i] && ((wp.Step != nil && wp.Step(prev, l, next)) || (wp.State != nil && wp.State(next))) {
				reached[i] = true
			}
		}
		w.check(t, path, &prev, l)
	}
	for r := 0; r < w.rounds; r++ {
		t.Repeat(map[string]func(*rapid.T){"step": step})
	}
}

// record adds one walk to the stats.
func (w *Walker) record(path *verify.Path, reached []bool) {
	st := w.stats
	st.Walks++
	st.Steps += path.Len()
	st.Longest = max(st.Longest, path.Len())
	inc := 0
	for _, x := range append([]checker.Step[model.State, model.Label]{{State: path.Init}}, path.Steps...) {
		for _, e := range x.State.Ends {
			inc = max(inc, int(e.Inc))
		}
	}
	if inc < len(st.Incarnation) {
		st.Incarnation[inc]++
	}
	for i, ok := range reached {
		if ok {
			st.Witnesses[w.witnesses[i].ID]++
		}
	}
}

// draw picks one of acts with the walker's weights.
func (w *Walker) draw(t *rapid.T, s model.State, acts []model.Action) walkAction {
	weights := make([]int, len(acts))
	total := 0
	for i, a := range acts {
		weights[i] = w.w.of(s, a, w.ageLimit)
		total += weights[i]
	}
	if total == 0 {
		for i := range weights {
			weights[i] = 1
		}
		total = len(acts)
	}
	index := func(n int) int {
		for i, wt := range weights {
			if n < wt {
				return i
			}
			n -= wt
		}
		return len(acts) - 1
	}
	// One draw per step, logged as the action's text (see walkAction) so that
	// rapid's log of a failing walk reads as the walk. The number is drawn
	// bit by bit (rapid.Bool is a fair bit), not with rapid's integer
	// generators, which lean towards small values and would distort the
	// weights.
	// At least one bit even for a single choice: rapid refuses a generator
	// that draws nothing.
	bitsNeeded := max(bits.Len(uint(total-1)), 1)
	return rapid.Custom(func(t *rapid.T) walkAction {
		for try := 0; ; try++ {
			u := 0
			for b := 0; b < bitsNeeded; b++ {
				u <<= 1
				if rapid.Bool().Draw(t, "") {
					u |= 1
				}
			}
			if u < total || try == 15 {
				return walkAction(acts[index(u%total)])
			}
		}
	}).Draw(t, "take")
}

// walkAction is a drawn action. rapid logs draws with %#v, which GoString
// turns into the action's one-line text.
type walkAction model.Action

// GoString returns the action's text ("deliver B>A FIN|ACK seq=2 ...").
func (a walkAction) GoString() string { return model.Action(a).String() }

// check evaluates every property on the walk's last transition (from, l, the
// last state; only the state when from is nil) and fails t on a violation.
func (w *Walker) check(t *rapid.T, path *verify.Path, from *model.State, l model.Label) {
	to := path.Last()
	if to.Err != model.NoErr {
		w.fail(t, w.props[0], path, fmt.Sprintf("model error: more than %d copies in flight", model.MaxInFlight))
		return
	}
	for _, p := range w.props {
		bad := p.State != nil && !p.State(to)
		if from != nil && p.Step != nil && !p.Step(*from, l, to) {
			bad = true
		}
		if bad {
			w.fail(t, p, path, "")
			return
		}
	}
}

// fail turns the walk into a replayed trace and fails t with its timeline
// and trace file.
func (w *Walker) fail(t *rapid.T, p properties.Property, path *verify.Path, modelErr string) {
	acts := make([]model.Action, len(path.Steps))
	for i, st := range path.Steps {
		acts[i] = st.Label.Action
	}
	w.mu.Lock()
	same := slices.Equal(acts, w.lastActs) && w.lastActs != nil
	msg := w.lastMsg
	w.mu.Unlock()
	if !same {
		msg = w.failure(p, path, modelErr)
		w.mu.Lock()
		w.lastActs, w.lastMsg = acts, msg
		w.mu.Unlock()
	}
	t.Fatalf("%s", msg)
}

// failure is the failure message of a walk, after writing its trace file.
func (w *Walker) failure(p properties.Property, path *verify.Path, modelErr string) string {
	tr, r, err := traces.FromPath(w.m.Config(), p, "", path)
	if err != nil {
		return fmt.Sprintf("twtest: the walk does not replay through the model (a bug in the model or twtest): %v", err)
	}
	if modelErr == "" {
		_, rc, err := traces.Verify(tr)
		if err != nil || rc.At != len(tr.Actions) {
			return fmt.Sprintf("twtest: the walk violates %s at step %d, but its trace replays to %d (%v)", p.ID, len(tr.Actions), rc.At, err)
		}
	}
	_, note := writeTraceFile(w.dir, w.temp, traceFileName(w.name, p.ID, ".walk"), tr, true)
	if modelErr != "" {
		return fmt.Sprintf("%s after a random walk of %d steps at %s\n%s", modelErr, len(r.Steps), w.desc, note)
	}
	return violationMessage(p.ID, w.desc, "found by a random walk", "walk", &r, note)
}

// CheckWalk runs rapid.Check on a [Walker] of cfg: -rapid.checks walks of
// about Rounds × -rapid.steps steps each (100 walks of 30 steps by default, a
// fifth as many and half as long under -short), checking props (every safety property when none are
// given) at every step. A failure prints rapid's seed, the shrunk walk's
// timeline and the path of its trace file.
func CheckWalk(t *testing.T, cfg model.Config, props ...string) {
	t.Helper()
	WalkOptions{}.CheckWalk(t, cfg, props...)
}

// CheckWalk is [CheckWalk] with these options.
func (o WalkOptions) CheckWalk(t *testing.T, cfg model.Config, props ...string) {
	t.Helper()
	w := o.NewWalker(t, cfg, props...)
	if w == nil {
		return
	}
	rapid.Check(t, w.Walk)
}
