// Command modeldiff compares two copies of the timewait model package, the
// old one (modeldiff/oldmodel, the model at a git revision) and the new one
// (modeldiff/newmodel, the working tree), on many configurations. For each
// configuration it searches the new model's reachable states breadth first
// from Init (up to -max states; then -walks random walks from Init reach
// deeper states) and at every state compares: Hash; the full ordered
// (Label, State) sequence of Successors, with the Hash of every successor;
// what the exported functions compute from the state and the labels beyond
// their fields (Diff*Derived in modelrules.go.txt); Actions; and Step for
// every enabled action and for a set of disabled or invalid candidates. It
// also compares New's errors on invalid configurations, the configuration's
// JSON and derived values, Config/Space/Window of each model, TWFamily
// (Init, Key, Concrete, Hash, Successors) and RulesDigest.
//
// It is built and run by run.sh, which writes both packages into a
// scratch module; see README.md. Exit status: 0 when nothing differs, 1 at
// the first difference (printed with the configuration, the state and both
// outputs), 2 for bad flags or when the exported types' layouts differ (the
// harness converts between the packages' types by reinterpreting memory).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	nm "modeldiff/newmodel"
	om "modeldiff/oldmodel"
)

// options are the command-line settings.
type options struct {
	maxStates   int    // states expanded per configuration by the breadth-first search
	walks       int    // random walks per configuration whose search hit maxStates
	depth       int    // longest random walk
	workers     int    // configurations compared in parallel
	only        string // compare only configurations whose name matches
	laxDisabled bool   // ignore the state and label a disabled Step returns
	lateFaults  bool   // set Config.LateFaults in the new model only
	noHash      bool   // do not compare Hash values
	src         string // directory whose rule files' note literals are checked for coverage
	seed        uint64 // random-walk seed
	list        bool   // list the configurations and exit
}

// parseOptions reads the flags; an error is a usage error (exit 2).
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("modeldiff", flag.ContinueOnError)
	// Errors are printed once, by the caller; the usage only for -h.
	fs.SetOutput(io.Discard)
	fs.IntVar(&o.maxStates, "max", 150000, "states expanded per configuration by the breadth-first search")
	fs.IntVar(&o.walks, "walks", 200, "random walks from Init per configuration whose search hit -max (odd ones biased towards duplication)")
	fs.IntVar(&o.depth, "depth", 250, "longest random walk")
	fs.IntVar(&o.workers, "j", runtime.GOMAXPROCS(0), "configurations compared in parallel")
	fs.StringVar(&o.only, "run", "", "compare only configurations whose name matches this regexp")
	fs.BoolVar(&o.laxDisabled, "lax-disabled", false, "for a Step that is not enabled (ok=false in both), do not compare the returned state and label")
	fs.BoolVar(&o.noHash, "no-hash", false, "do not compare Hash values")
	fs.BoolVar(&o.lateFaults, "late-faults", false, "set Config.LateFaults in the new model only: compares it with a revision from before the fault timing (model.Config.LateFaults), which offered drops and duplications at every age")
	fs.StringVar(&o.src, "src", "newmodel", "directory whose rule files' note literals are checked for coverage")
	fs.Uint64Var(&o.seed, "seed", 1, "random-walk seed")
	fs.BoolVar(&o.list, "list", false, "list the configurations and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: modeldiff [flags] (built and run by bench/modeldiff/run.sh)")
			fs.PrintDefaults()
		}
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.maxStates < 1:
		return o, fmt.Errorf("-max must be at least 1, not %d", o.maxStates)
	case o.walks < 0 || o.depth < 1:
		return o, fmt.Errorf("-walks must be at least 0 and -depth at least 1 (got %d and %d)", o.walks, o.depth)
	case o.workers < 1:
		return o, fmt.Errorf("-j must be at least 1, not %d", o.workers)
	}
	if _, err := regexp.Compile(o.only); err != nil {
		return o, fmt.Errorf("-run: %v", err)
	}
	return o, nil
}

// diffError is the first difference found.
type diffError struct {
	what  string // what was compared
	state string // the state it was compared in
	input string // the action or other input, if any
	newV  string
	oldV  string

	// where: set by at
	job     *job
	cfgJSON string
}

func (d *diffError) Error() string { return d.what }

// at records the configuration the difference was found in.
func (d *diffError) at(j *job, cfgJSON string) *diffError {
	d.job, d.cfgJSON = j, cfgJSON
	return d
}

// report prints the difference in full.
func (d *diffError) report(w io.Writer) {
	j := d.job
	fmt.Fprintf(w, "\n=== DIFFERENCE in configuration %q ===\n", j.name)
	fmt.Fprintf(w, "config: %s", d.cfgJSON)
	if j.rules != "" {
		fmt.Fprintf(w, "  rules: DiffRules(%q)", j.rules)
	}
	if j.family != nil {
		fmt.Fprintf(w, "  TWFamily tws=%v", j.family)
	}
	fmt.Fprintf(w, "\ncompared: %s\n", d.what)
	if d.state != "" {
		fmt.Fprintf(w, "state:\n%s\n", indent(d.state))
	}
	if d.input != "" {
		fmt.Fprintf(w, "input / detail:\n%s\n", indent(d.input))
	}
	fmt.Fprintf(w, "NEW (working tree):\n%s\n", indent(d.newV))
	fmt.Fprintf(w, "OLD (git):\n%s\n", indent(d.oldV))
	if strings.Contains(d.what, "not enabled") {
		fmt.Fprintln(w, "(both models say ok=false here; rerun with -lax-disabled to ignore the returned state and label of disabled steps)")
	}
}

// indent indents every line of s by four spaces.
func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// fmtState prints a state as String shows it and field by field.
func fmtState(s nm.State) string { return fmt.Sprintf("%s\n  raw %s", s, raw(s)) }

// fmtLabel prints a label as String shows it and field by field.
func fmtLabel(l nm.Label) string { return fmt.Sprintf("%s\n  raw %s", l, raw(l)) }

// succ is one emission of Successors.
type succ struct {
	l nm.Label
	s nm.State
}

// fmtSuccs prints a whole Successors sequence.
func fmtSuccs(v []succ) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d successors", len(v))
	for i, x := range v {
		fmt.Fprintf(&b, "\n[%d] %s\n     -> %s", i, x.l, x.s)
	}
	return b.String()
}

// cmp compares the two models of one configuration.
type cmp struct {
	opt   *options
	mn    *nm.Model
	mo    *om.Model
	sp    int
	newS  []succ // the new model's successors of the state being checked
	oldS  []succ // the old model's, converted
	cand  []nm.Action
	notes map[string]struct{} // every Label.Note the new model emitted

	// The values whose derived forms (Diff*Derived) were compared already.
	endsSeen   map[endsKey]struct{}
	segsSeen   map[nm.Segment]struct{}
	labelsSeen map[nm.Label]struct{}

	states, trans, steps, errStates int
}

// endsKey is the part of a state that DiffEndsDerived reads.
type endsKey struct {
	ends [2]nm.Endpoint
	tw   [2]uint8
	err  nm.ErrCode
}

// stringedStates is the number of states per configuration whose whole
// printed form is compared; the parts it is made of are compared at every
// distinct value (Diff*Derived).
const stringedStates = 5000

// derived compares what the models' exported functions compute from s
// beyond its fields, once per distinct endpoint pair and copy in flight.
func (c *cmp) derived(s nm.State, so om.State) *diffError {
	if c.states <= stringedStates {
		if a, b := s.String(), so.String(); a != b {
			return &diffError{what: "State.String", state: fmtState(s), newV: a, oldV: b}
		}
	}
	if k := (endsKey{s.Ends, s.TWEntered, s.Err}); !has(c.endsSeen, k) {
		if a, b := nm.DiffEndsDerived(s), om.DiffEndsDerived(so); a != b {
			return &diffError{what: "derived values of the endpoints (DiffEndsDerived in modelrules.go.txt)", state: fmtState(s), newV: a, oldV: b}
		}
	}
	for i := 0; i < s.Net.Len(); i++ {
		if g := s.Net.At(i); !has(c.segsSeen, g) {
			if a, b := nm.DiffSegDerived(g), om.DiffSegDerived(conv[om.Segment](g)); a != b {
				return &diffError{what: "derived values of a copy in flight (DiffSegDerived)", state: fmtState(s), input: raw(g), newV: a, oldV: b}
			}
		}
	}
	return nil
}

// has reports whether k is in m, and adds it.
func has[K comparable](m map[K]struct{}, k K) bool {
	if _, ok := m[k]; ok {
		return true
	}
	m[k] = struct{}{}
	return false
}

// check compares everything at s and returns the new model's successors
// (valid until the next call).
func (c *cmp) check(s nm.State) (out []succ, err *diffError) {
	defer func() {
		if p := recover(); p != nil {
			err = panicDiff(p, fmtState(s))
		}
	}()
	so := conv[om.State](s)
	c.states++
	if s.Err != nm.NoErr {
		c.errStates++
	}
	if !c.opt.noHash {
		if hn, ho := c.mn.Hash(s), c.mo.Hash(so); hn != ho {
			return nil, &diffError{what: "Hash(state)", state: fmtState(s), newV: fmt.Sprintf("%#x", hn), oldV: fmt.Sprintf("%#x", ho)}
		}
	}
	if d := c.derived(s, so); d != nil {
		return nil, d
	}
	// Successors: the complete ordered sequence.
	c.newS, c.oldS = c.newS[:0], c.oldS[:0]
	c.mn.Successors(s, func(l nm.Label, n nm.State) { c.newS = append(c.newS, succ{l, n}) })
	c.mo.Successors(so, func(l om.Label, n om.State) {
		c.oldS = append(c.oldS, succ{conv[nm.Label](l), conv[nm.State](n)})
	})
	c.trans += len(c.newS)
	for i := range c.newS {
		if n := c.newS[i].l.Note; n != "" {
			c.notes[n] = struct{}{}
		}
	}
	same := len(c.newS) == len(c.oldS)
	for i := 0; same && i < len(c.newS); i++ {
		same = c.newS[i] == c.oldS[i]
	}
	if !same {
		i := 0
		for i < len(c.newS) && i < len(c.oldS) && c.newS[i] == c.oldS[i] {
			i++
		}
		d := &diffError{what: fmt.Sprintf("Successors (first difference at index %d; %d new vs %d old)", i, len(c.newS), len(c.oldS)), state: fmtState(s)}
		d.newV, d.oldV = "(none)", "(none)"
		if i < len(c.newS) {
			d.newV = fmt.Sprintf("[%d] label %s\n     state %s", i, fmtLabel(c.newS[i].l), fmtState(c.newS[i].s))
		}
		if i < len(c.oldS) {
			d.oldV = fmt.Sprintf("[%d] label %s\n     state %s", i, fmtLabel(c.oldS[i].l), fmtState(c.oldS[i].s))
		}
		if i < len(c.newS) && i < len(c.oldS) {
			d.input = "fields that differ at index " + fmt.Sprint(i) + ":\nlabel: " +
				fieldDiffs(c.newS[i].l, c.oldS[i].l) + "\nstate: " + fieldDiffs(c.newS[i].s, c.oldS[i].s)
		}
		d.newV += "\nall: " + fmtSuccs(c.newS)
		d.oldV += "\nall: " + fmtSuccs(c.oldS)
		return nil, d
	}
	if !c.opt.noHash {
		for i, x := range c.newS {
			if hn, ho := c.mn.Hash(x.s), c.mo.Hash(conv[om.State](x.s)); hn != ho {
				return nil, &diffError{what: "Hash(successor)", state: fmtState(x.s), input: fmt.Sprintf("successor %d of %s", i, s),
					newV: fmt.Sprintf("%#x", hn), oldV: fmt.Sprintf("%#x", ho)}
			}
		}
	}
	// The labels' derived values, once per distinct label.
	for i, x := range c.newS {
		if !has(c.labelsSeen, x.l) {
			if a, b := nm.DiffLabelDerived(x.l), om.DiffLabelDerived(conv[om.Label](x.l)); a != b {
				return nil, &diffError{what: "derived values of a label (DiffLabelDerived)", state: fmtState(s),
					input: fmt.Sprintf("successor %d: %s", i, fmtLabel(x.l)), newV: a, oldV: b}
			}
		}
	}
	// Actions.
	an, ao := c.mn.Actions(s), c.mo.Actions(so)
	sameA := len(an) == len(ao)
	for i := 0; sameA && i < len(an); i++ {
		sameA = an[i] == conv[nm.Action](ao[i])
	}
	if !sameA {
		return nil, &diffError{what: "Actions", state: fmtState(s), newV: fmtActions(an), oldV: fmtActions(conv[[]nm.Action](ao))}
	}
	// Step: every enabled action, then the candidates.
	c.cand = append(c.cand[:0], an...)
	c.cand = c.candidates(s, c.cand)
	for k, a := range c.cand {
		nn, nl, nok := c.mn.Step(s, a)
		on, ol, ook := c.mo.Step(so, conv[om.Action](a))
		c.steps++
		onn, onl := conv[nm.State](on), conv[nm.Label](ol)
		if nok != ook || ((nok || !c.opt.laxDisabled) && (nn != onn || nl != onl)) {
			what := "Step"
			if k < len(an) {
				what += " (an action from Actions)"
			} else if !nok && !ook {
				what += " (not enabled in either model: ok=false; returned state/label differ)"
			} else {
				what += " (a candidate action not in Actions)"
			}
			return nil, &diffError{what: what, state: fmtState(s), input: a.String() + "\n  raw " + raw(a) +
				"\nfields that differ:\nlabel: " + fieldDiffs(nl, onl) + "\nstate: " + fieldDiffs(nn, onn),
				newV: fmt.Sprintf("ok=%v\nlabel %s\nstate %s", nok, fmtLabel(nl), fmtState(nn)),
				oldV: fmt.Sprintf("ok=%v\nlabel %s\nstate %s", ook, fmtLabel(onl), fmtState(onn))}
		}
	}
	return c.newS, nil
}

// fmtActions prints an Actions list.
func fmtActions(v []nm.Action) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d actions", len(v))
	for i, a := range v {
		fmt.Fprintf(&b, "\n[%d] %s", i, a)
	}
	return b.String()
}

// candidates appends actions that are mostly not enabled in s: other ISSs
// (one outside the space), copies not in flight, B connecting, every timer
// of both sides, an invalid timer and invalid kinds.
func (c *cmp) candidates(s nm.State, out []nm.Action) []nm.Action {
	sp := nm.Seq(c.sp)
	for i := 0; i < s.Net.Len(); i++ {
		g := s.Net.At(i)
		if g.Flags&(nm.SYN|nm.ACK|nm.RST) == nm.SYN {
			// a SYN may need an ISS: several, one outside the space
			for _, iss := range []nm.Seq{0, 1, sp - 1, sp} {
				out = append(out, nm.Action{Kind: nm.ActDeliver, Seg: g, ISS: iss})
			}
		} else {
			out = append(out, nm.Action{Kind: nm.ActDeliver, Seg: g, ISS: 1})
		}
		h := g
		h.Age++ // not in flight (usually)
		out = append(out, nm.Action{Kind: nm.ActDeliver, Seg: h})
		if i == 0 {
			out = append(out, nm.Action{Kind: nm.ActDrop, Seg: h}, nm.Action{Kind: nm.ActDuplicate, Seg: h})
			h = g
			h.Rtx = !h.Rtx
			out = append(out, nm.Action{Kind: nm.ActDeliver, Seg: h})
		}
	}
	if s.Net.Len() == 0 {
		g := nm.Segment{Src: nm.B, Flags: nm.FIN | nm.ACK, Seq: 2, Ack: 2, Inc: 1}
		out = append(out, nm.Action{Kind: nm.ActDeliver, Seg: g}, nm.Action{Kind: nm.ActDrop, Seg: g}, nm.Action{Kind: nm.ActDuplicate, Seg: g})
	}
	out = append(out, nm.Action{Kind: nm.ActClose, Side: nm.A}, nm.Action{Kind: nm.ActClose, Side: nm.B},
		nm.Action{Kind: nm.ActConnect, Side: nm.B},
		nm.Action{Kind: nm.ActTimeout, Side: nm.A, Timer: nm.TimerTW + 1})
	for _, iss := range []nm.Seq{0, 1, sp - 1, sp} {
		out = append(out, nm.Action{Kind: nm.ActConnect, Side: nm.A, ISS: iss})
	}
	for side := nm.A; side <= nm.B; side++ {
		for t := nm.TimerRtx0; t <= nm.TimerTW; t++ {
			out = append(out, nm.Action{Kind: nm.ActTimeout, Side: side, Timer: t})
		}
	}
	out = append(out, nm.Action{Kind: nm.ActTick}, nm.Action{}, nm.Action{Kind: nm.ActTick + 1})
	return out
}

// result is what one configuration's comparison covered.
type result struct {
	name                       string
	states, trans, steps, errs int
	bfsDone                    bool
	walkStates                 int
	notes                      map[string]struct{}
	dur                        time.Duration
	note                       string
}

// configPair builds the old configuration from the new one through JSON and
// checks that every field came across.
func configPair(j *job) (nm.Config, om.Config, string, *diffError) {
	cn := j.cfg
	data, err := json.Marshal(cn)
	if err != nil {
		return cn, om.Config{}, "", &diffError{what: "marshal config", newV: err.Error(), oldV: "-"}
	}
	co := om.DefaultConfig()
	if err := json.Unmarshal(data, &co); err != nil {
		return cn, co, string(data), &diffError{what: "old model cannot read the new model's config JSON", newV: string(data), oldV: err.Error()}
	}
	odata, _ := json.Marshal(co)
	if string(odata) != string(data) {
		return cn, co, string(data), &diffError{what: "config JSON round trip", newV: string(data), oldV: string(odata)}
	}
	if j.rules != "" {
		cn.Rules, co.Rules = nm.DiffRules(j.rules), om.DiffRules(j.rules)
	}
	if err := sameFields(cn, co); err != nil {
		return cn, co, string(data), &diffError{what: "config fields after JSON transfer", newV: err.Error(), oldV: "-"}
	}
	// The new model reads its own JSON back, too.
	back := nm.DefaultConfig()
	if err := json.Unmarshal(data, &back); err != nil || mustJSON(back) != string(data) {
		return cn, co, string(data), &diffError{what: "the new model reading its config JSON back", newV: fmt.Sprintf("%s (err %v)", mustJSON(back), err), oldV: string(data)}
	}
	if a, b := nm.DiffConfigDerived(cn), om.DiffConfigDerived(co); a != b {
		return cn, co, string(data), &diffError{what: "derived values of the configuration (DiffConfigDerived)", newV: a, oldV: b}
	}
	return cn, co, string(data), nil
}

// sameFields compares the two configurations field by field, by name; a
// field only the new Config has must be zero.
func sameFields(cn nm.Config, co om.Config) error {
	vn, vo := reflect.ValueOf(cn), reflect.ValueOf(co)
	for i := 0; i < vn.NumField(); i++ {
		f := vn.Type().Field(i)
		if !f.IsExported() || f.Name == "Rules" {
			continue
		}
		a, b := vn.Field(i), vo.FieldByName(f.Name)
		if !b.IsValid() && a.IsZero() {
			continue // a field the old model lacks, at its zero value
		}
		if !b.IsValid() {
			return fmt.Errorf("old Config has no field %s", f.Name)
		}
		if fmt.Sprint(a.Interface()) != fmt.Sprint(b.Interface()) {
			return fmt.Errorf("field %s: new %v, old %v", f.Name, a.Interface(), b.Interface())
		}
	}
	if (cn.Rules == nil) != (co.Rules == nil) {
		return fmt.Errorf("Rules set in one only")
	}
	return nil
}

// panicDiff reports a panic in either model as a difference, naming the
// model from the innermost frame of either package in the stack.
func panicDiff(p any, state string) *diffError {
	stack := string(debug.Stack())
	who := "the harness"
	for _, line := range strings.Split(stack, "\n") {
		if strings.HasPrefix(line, "modeldiff/newmodel.") {
			who = "the new model"
			break
		}
		if strings.HasPrefix(line, "modeldiff/oldmodel.") {
			who = "the old model"
			break
		}
	}
	return &diffError{what: fmt.Sprintf("panic in %s: %v", who, p), state: state, input: stack, newV: "?", oldV: "?"}
}

// runJob compares the two models on one configuration; a panic in either
// is a difference too.
func runJob(opt *options, j *job) (r result, d *diffError) {
	defer func() {
		if p := recover(); p != nil {
			r, d = result{name: j.name}, panicDiff(p, "").at(j, mustJSON(j.cfg))
		}
	}()
	return compareJob(opt, j)
}

// compareJob compares the two models on one configuration.
func compareJob(opt *options, j *job) (result, *diffError) {
	start := time.Now()
	r := result{name: j.name}
	if j.digest {
		dn, en := nm.RulesDigest(nm.DiffRules(j.rules))
		do, eo := om.RulesDigest(om.DiffRules(j.rules))
		if dn != do || fmt.Sprint(en) != fmt.Sprint(eo) {
			return r, (&diffError{what: "RulesDigest", newV: fmt.Sprintf("%q err=%v", dn, en), oldV: fmt.Sprintf("%q err=%v", do, eo)}).at(j, "(RulesDigest probe)")
		}
		r.note, r.bfsDone = "digest "+dn, true
		r.dur = time.Since(start)
		return r, nil
	}
	cn, co, cfgJSON, d := configPair(j)
	if d != nil {
		return r, d.at(j, cfgJSON)
	}
	cn.LateFaults = cn.LateFaults || opt.lateFaults
	if j.family != nil {
		return runFamily(opt, j, cn, co, cfgJSON, start)
	}
	mn, en := nm.New(cn)
	mo, eo := om.New(co)
	if fmt.Sprint(en) != fmt.Sprint(eo) {
		return r, (&diffError{what: "New error", newV: fmt.Sprint(en), oldV: fmt.Sprint(eo)}).at(j, cfgJSON)
	}
	if en != nil {
		r.note = "invalid: " + en.Error()
		return r, nil
	}
	cfgN := mn.Config()
	cfgN.LateFaults = cfgN.LateFaults && !opt.lateFaults // set here, not in the old model
	if a, b := mustJSON(cfgN), mustJSON(mo.Config()); a != b {
		return r, (&diffError{what: "Model.Config()", newV: a, oldV: b}).at(j, cfgJSON)
	}
	if int(mn.Space()) != int(mo.Space()) || mn.Window() != mo.Window() {
		return r, (&diffError{what: "Model.Space()/Window()", newV: fmt.Sprint(mn.Space(), mn.Window()), oldV: fmt.Sprint(mo.Space(), mo.Window())}).at(j, cfgJSON)
	}
	c := &cmp{opt: opt, mn: mn, mo: mo, sp: int(mn.Space()), notes: map[string]struct{}{},
		endsSeen: map[endsKey]struct{}{}, segsSeen: map[nm.Segment]struct{}{}, labelsSeen: map[nm.Label]struct{}{}}
	in, inOld := mn.Init(), conv[[]nm.State](mo.Init())
	if !reflect.DeepEqual(in, inOld) {
		return r, (&diffError{what: "Init", newV: raw(in), oldV: raw(inOld)}).at(j, cfgJSON)
	}
	seen := make(map[nm.State]struct{}, min(opt.maxStates, 1<<16))
	queue := append([]nm.State(nil), in...)
	for _, s := range in {
		seen[s] = struct{}{}
	}
	qi := 0
	for ; qi < len(queue) && qi < opt.maxStates; qi++ {
		out, d := c.check(queue[qi])
		if d != nil {
			return r, d.at(j, cfgJSON)
		}
		for _, x := range out {
			if _, ok := seen[x.s]; !ok {
				seen[x.s] = struct{}{}
				queue = append(queue, x.s)
			}
		}
	}
	r.bfsDone = qi == len(queue)
	if !r.bfsDone {
		seen, queue = nil, nil
		h := fnv.New64a()
		h.Write([]byte(j.name))
		rng := rand.New(rand.NewPCG(opt.seed, h.Sum64()))
		before := c.states
		for w := 0; w < opt.walks; w++ {
			s := in[rng.IntN(len(in))]
			for k := 0; k < opt.depth; k++ {
				out, d := c.check(s)
				if d != nil {
					return r, d.at(j, cfgJSON)
				}
				if len(out) == 0 {
					break
				}
				s = out[pick(rng, out, w%2 == 1)].s
			}
		}
		r.walkStates = c.states - before
	}
	r.states, r.trans, r.steps, r.errs = c.states, c.trans, c.steps, c.errStates
	r.notes = c.notes
	r.dur = time.Since(start)
	return r, nil
}

// pick chooses a successor: uniformly, or (biased) favouring duplications
// and disfavouring deliveries, which reaches crowded networks and overflow.
func pick(rng *rand.Rand, out []succ, biased bool) int {
	if !biased {
		return rng.IntN(len(out))
	}
	w := func(x succ) int {
		switch x.l.Action.Kind {
		case nm.ActDuplicate:
			return 6
		case nm.ActDeliver:
			return 1
		}
		return 2
	}
	tot := 0
	for _, x := range out {
		tot += w(x)
	}
	r := rng.IntN(tot)
	for i, x := range out {
		if r < w(x) {
			return i
		}
		r -= w(x)
	}
	return len(out) - 1
}

// mustJSON is v in JSON, or the error.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

// runFamily compares TWFamily: a search over keys, each expanded for the
// members that reach it, comparing Hash, Key(Concrete) and the whole
// emission sequence of Successors.
func runFamily(opt *options, j *job, cn nm.Config, co om.Config, cfgJSON string, start time.Time) (result, *diffError) {
	r := result{name: j.name}
	fn, en := nm.NewTWFamily(cn, j.family)
	fo, eo := om.NewTWFamily(co, j.family)
	if fmt.Sprint(en) != fmt.Sprint(eo) {
		return r, (&diffError{what: "NewTWFamily error", newV: fmt.Sprint(en), oldV: fmt.Sprint(eo)}).at(j, cfgJSON)
	}
	if en != nil {
		r.note = "invalid: " + en.Error()
		return r, nil
	}
	type em struct {
		members uint64
		from    nm.State
		l       nm.Label
		to, key nm.State
	}
	in, inOld := fn.Init(), conv[[]nm.State](fo.Init())
	if !reflect.DeepEqual(in, inOld) {
		return r, (&diffError{what: "TWFamily.Init", newV: raw(in), oldV: raw(inOld)}).at(j, cfgJSON)
	}
	all := uint64(1)<<fn.Len() - 1
	pending, done := map[nm.State]uint64{}, map[nm.State]uint64{}
	queue := append([]nm.State(nil), in...)
	for _, k := range in {
		pending[k] = all
	}
	var newEms, oldEms []em
	qi := 0
	for ; qi < len(queue) && r.states < opt.maxStates; qi++ {
		k := queue[qi]
		bits := pending[k] &^ done[k]
		if bits == 0 {
			continue
		}
		done[k] |= bits
		r.states++
		ko := conv[om.State](k)
		if !opt.noHash && fn.Hash(k) != fo.Hash(ko) {
			return r, (&diffError{what: "TWFamily.Hash", state: fmtState(k), newV: fmt.Sprintf("%#x", fn.Hash(k)), oldV: fmt.Sprintf("%#x", fo.Hash(ko))}).at(j, cfgJSON)
		}
		for rest := bits; rest != 0; rest &= rest - 1 {
			i := 0
			for rest>>i&1 == 0 {
				i++
			}
			cnc, cno := fn.Concrete(k, i), conv[nm.State](fo.Concrete(ko, i))
			kn, ko2 := fn.Key(cnc, i), conv[nm.State](fo.Key(conv[om.State](cnc), i))
			if cnc != cno || kn != ko2 {
				d := &diffError{what: fmt.Sprintf("TWFamily.Concrete/Key for member %d", i), state: fmtState(k),
					newV: fmtState(cnc) + "\nkey " + fmtState(kn), oldV: fmtState(cno) + "\nkey " + fmtState(ko2)}
				return r, d.at(j, cfgJSON)
			}
		}
		newEms, oldEms = newEms[:0], oldEms[:0]
		fn.Successors(k, bits, func(m uint64, from nm.State, l nm.Label, to, key nm.State) {
			newEms = append(newEms, em{m, from, l, to, key})
		})
		fo.Successors(ko, bits, func(m uint64, from om.State, l om.Label, to, key om.State) {
			oldEms = append(oldEms, em{m, conv[nm.State](from), conv[nm.Label](l), conv[nm.State](to), conv[nm.State](key)})
		})
		r.trans += len(newEms)
		if !reflect.DeepEqual(newEms, oldEms) {
			i := 0
			for i < len(newEms) && i < len(oldEms) && newEms[i] == oldEms[i] {
				i++
			}
			f := func(v []em) string {
				if i >= len(v) {
					return fmt.Sprintf("%d emissions; none at %d", len(v), i)
				}
				e := v[i]
				return fmt.Sprintf("%d emissions; [%d] members=%b from %s\nlabel %s\nto %s\nkey %s", len(v), i, e.members, e.from, fmtLabel(e.l), fmtState(e.to), fmtState(e.key))
			}
			return r, (&diffError{what: fmt.Sprintf("TWFamily.Successors (members %b)", bits), state: fmtState(k), newV: f(newEms), oldV: f(oldEms)}).at(j, cfgJSON)
		}
		for _, e := range newEms {
			p := pending[e.key] | e.members
			pending[e.key] = p
			if p&^done[e.key] != 0 {
				queue = append(queue, e.key)
			}
		}
	}
	r.bfsDone = qi == len(queue)
	r.dur = time.Since(start)
	r.note = fmt.Sprintf("TWFamily of %d", fn.Len())
	return r, nil
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	opt, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "modeldiff:", err)
		return 2
	}
	start := time.Now()
	if err := checkLayouts(); err != nil {
		fmt.Fprintln(stderr, "modeldiff: layout difference (the harness cannot convert between the packages):", err)
		return 2
	}
	js := jobs()
	// Configurations the old model cannot express (an option it lacks) are
	// skipped, and said to be.
	var skipped []string
	expressible := js[:0]
	for _, j := range js {
		if _, err := convConfig(j.cfg); err != nil {
			skipped = append(skipped, fmt.Sprintf("%s (%v)", j.name, err))
			continue
		}
		expressible = append(expressible, j)
	}
	js = expressible
	if opt.only != "" {
		re := regexp.MustCompile(opt.only)
		var keep []job
		for _, j := range js {
			if re.MatchString(j.name) {
				keep = append(keep, j)
			}
		}
		js = keep
		if len(js) == 0 {
			fmt.Fprintf(stderr, "modeldiff: -run %q matches no configuration (-list lists them)\n", opt.only)
			return 2
		}
	}
	if opt.list {
		for i, j := range js {
			fmt.Fprintf(stdout, "%2d %s\n", i+1, j.name)
		}
		return 0
	}
	// Invalid configurations: the same refusal.
	for i, cfg := range invalidConfigs() {
		j := &job{name: fmt.Sprintf("invalid #%d", i+1), cfg: cfg}
		// Invalid enumerations have no JSON form: convert field by field,
		// by name.
		co, cerr := convConfig(cfg)
		cfgJSON := raw(cfg)
		var d *diffError
		if cerr != nil {
			d = &diffError{what: "config conversion", newV: cerr.Error(), oldV: "-"}
		} else if err := sameFields(cfg, co); err != nil {
			d = &diffError{what: "config fields", newV: err.Error(), oldV: "-"}
		} else if a, b := nm.DiffConfigDerived(cfg), om.DiffConfigDerived(co); a != b {
			d = &diffError{what: "derived values of the configuration (DiffConfigDerived)", newV: a, oldV: b}
		} else if _, en := nm.New(cfg); en == nil {
			d = &diffError{what: "New accepts a configuration meant to be invalid", newV: "<nil>", oldV: "-"}
		} else if _, eo := om.New(co); fmt.Sprint(en) != fmt.Sprint(eo) {
			d = &diffError{what: "New error on an invalid configuration", newV: fmt.Sprint(en), oldV: fmt.Sprint(eo)}
		}
		if d != nil {
			d.at(j, cfgJSON).report(stdout)
			return 1
		}
	}
	fmt.Fprintf(stdout, "layouts identical; %d invalid configurations refused identically; comparing %d configurations on %d workers (max %d states each, then %d walks of %d)\n",
		len(invalidConfigs()), len(js), opt.workers, opt.maxStates, opt.walks, opt.depth)
	for _, sk := range skipped {
		fmt.Fprintf(stdout, "skipped, the old model cannot express it: %s\n", sk)
	}
	results := make([]result, len(js))
	diffs := make([]*diffError, len(js))
	var (
		printMu sync.Mutex
		// firstDiff is the lowest index of a configuration that differed:
		// the ones after it are not started, the ones before it finish,
		// so that the difference reported is the first in list order.
		firstDiff atomic.Int64
		wg        sync.WaitGroup
	)
	firstDiff.Store(int64(len(js)))
	next := make(chan int)
	for w := 0; w < opt.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if int64(i) > firstDiff.Load() {
					continue
				}
				results[i], diffs[i] = runJob(&opt, &js[i])
				r := results[i]
				if diffs[i] != nil {
					for {
						f := firstDiff.Load()
						if int64(i) >= f || firstDiff.CompareAndSwap(f, int64(i)) {
							break
						}
					}
					continue
				}
				printMu.Lock()
				fmt.Fprintf(stdout, "  done %-45s %6.1fs\n", r.name, r.dur.Seconds())
				printMu.Unlock()
			}
		}()
	}
	for i := range js {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, d := range diffs { // the first configuration, in list order, that differed
		if d != nil {
			d.report(stdout)
			return 1
		}
	}
	fmt.Fprintf(stdout, "\n%-3s %-45s %9s %10s %11s %7s %s\n", "#", "configuration", "states", "transitions", "steps", "time", "search")
	var ts, tt, tp int
	for i, r := range results {
		search := "complete"
		if !r.bfsDone {
			search = "capped"
			if r.walkStates > 0 {
				search = fmt.Sprintf("capped; +%d walk states", r.walkStates)
			}
		}
		if r.errs > 0 {
			search += fmt.Sprintf("; %d error states", r.errs)
		}
		if r.note != "" {
			search += "; " + r.note
		}
		fmt.Fprintf(stdout, "%-3d %-45s %9d %10d %11d %6.1fs %s\n", i+1, r.name, r.states, r.trans, r.steps, r.dur.Seconds(), search)
		ts, tt, tp = ts+r.states, tt+r.trans, tp+r.steps
	}
	noteCoverage(stdout, opt.src, results)
	fmt.Fprintf(stdout, "\nPASS: no difference; %d configurations, %d states, %d transitions, %d steps compared in %.1fs\n",
		len(results), ts, tt, tp, time.Since(start).Seconds())
	return 0
}

// noteCoverage reports which note literals of the new model's rule files
// (receive.go, sync.go, timers.go, user.go) no compared transition emitted:
// rules the comparison never exercised. Informational only.
func noteCoverage(w io.Writer, src string, results []result) {
	seen := map[string]struct{}{}
	for _, r := range results {
		for n := range r.notes {
			seen[n] = struct{}{}
		}
	}
	lit := regexp.MustCompile(`"([^"\\]{4,})"`)
	var lits []string
	have := map[string]bool{}
	for _, f := range []string{"receive.go", "sync.go", "timers.go", "user.go"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			for _, m := range lit.FindAllStringSubmatch(line, -1) {
				if !have[m[1]] {
					have[m[1]] = true
					lits = append(lits, m[1])
				}
			}
		}
	}
	var missing []string
	for _, l := range lits {
		found := false
		for n := range seen {
			if strings.Contains(n, l) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, fmt.Sprintf("%q", l))
		}
	}
	fmt.Fprintf(w, "\nrule coverage: %d distinct notes emitted; %d of %d note literals in %s/{receive,sync,timers,user}.go reached",
		len(seen), len(lits)-len(missing), len(lits), src)
	if len(missing) > 0 {
		fmt.Fprintf(w, "; never reached: %s", strings.Join(missing, ", "))
	}
	fmt.Fprintln(w)
}
