package twtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// TB is the part of [testing.TB] twtest uses. *testing.T, *testing.B and
// *testing.F satisfy it; so can a fake, to test that a test fails. Fatalf and
// Skipf need not stop the caller: twtest returns right after calling them.
type TB interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	TempDir() string
}

// Verdict is the outcome a test expects of one property.
type Verdict uint8

// Expected verdicts.
const (
	// Holds: no reachable run violates the property, on a complete search,
	// and the property's witness is reachable (the check is not vacuous).
	Holds Verdict = iota + 1
	// Violated: some run violates the property; the shortest one is the
	// counterexample.
	Violated
)

// String returns "holds" or "violated", as the CLI prints verdicts.
func (v Verdict) String() string {
	switch v {
	case Holds:
		return "holds"
	case Violated:
		return "violated"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// EnvTraceDir names the environment variable that, when set, is the
// directory failing checks and walks write their trace files to (created if
// missing). Unset, they use t.TempDir(), which the test framework deletes.
const EnvTraceDir = "TIMEWAIT_TRACE_DIR"

// Options tune checks and sweeps. The zero value is the default used by the
// package-level functions.
type Options struct {
	// MaxStates bounds the states one check may store; 0 = no bound. A
	// search the bound cuts short fails the test: it is never "holds".
	MaxStates int
	// TraceDir is where a failing check writes its counterexample; "" =
	// $TIMEWAIT_TRACE_DIR, or else t.TempDir().
	TraceDir string
	// ShortMSL is the largest MSL checked under go test -short; larger
	// configurations are skipped, saying so. 0 = 1 (every default check
	// takes well under a second); negative = never skip.
	ShortMSL int
	// AllowVacuous lets a property hold although its witness was never
	// reached (it is then only logged). By default that fails: the property
	// holds because what it guards never happens.
	AllowVacuous bool
	_            struct{}
}

// Result is what one check found for one property.
type Result struct {
	Property string
	Verdict  checker.Verdict // holds, violated or incomplete
	Config   model.Config    // as explored: RTO and Grid resolved
	States   int             // distinct states explored
	Complete bool            // the search was not cut short
	// Counterexample is the shortest violating run, replayed, when Verdict
	// is violated.
	Counterexample *traces.Replayed
	// File is the trace file written for a failure, or "".
	File string
}

// Check passes when every property in props (IDs; all safety properties when
// none are given) holds for cfg: on a complete search, with its witness
// reached. Otherwise it fails the test with, for each violated property, the
// shortest counterexample as a timeline and the path of its trace file. It
// returns one result per property, in order.
func Check(t TB, cfg model.Config, props ...string) []Result {
	t.Helper()
	return Options{}.Check(t, cfg, props...)
}

// Expect passes when prop has verdict want for cfg, and fails the test
// otherwise, saying what was found instead.
func Expect(t TB, cfg model.Config, prop string, want Verdict) Result {
	t.Helper()
	return Options{}.Expect(t, cfg, prop, want)
}

// ExpectViolation passes when prop is violated for cfg, and returns the
// shortest counterexample in the result. It fails the test when prop holds or
// the search was cut short before a violation was found.
func ExpectViolation(t TB, cfg model.Config, prop string) Result {
	t.Helper()
	return Options{}.Expect(t, cfg, prop, Violated)
}

// Check is [Check] with these options.
func (o Options) Check(t TB, cfg model.Config, props ...string) []Result {
	t.Helper()
	if len(props) == 0 {
		for _, p := range properties.Safety() {
			props = append(props, p.ID)
		}
	}
	ps, ok := lookup(t, props)
	if !ok || o.skipShort(t, cfg) {
		return nil
	}
	out := make([]Result, len(ps))
	want := make([]Verdict, len(ps))
	for i := range want {
		want[i] = Holds
	}
	o.run(t, cfg, ps, want, out)
	return out
}

// Expect is [Expect] with these options.
func (o Options) Expect(t TB, cfg model.Config, prop string, want Verdict) Result {
	t.Helper()
	var out [1]Result
	if want != Holds && want != Violated {
		t.Fatalf("twtest: want must be twtest.Holds or twtest.Violated, got %v", want)
		return out[0]
	}
	ps, ok := lookup(t, []string{prop})
	if !ok || o.skipShort(t, cfg) {
		return out[0]
	}
	o.run(t, cfg, ps, []Verdict{want}, out[:])
	return out[0]
}

// ExpectViolation is [ExpectViolation] with these options.
func (o Options) ExpectViolation(t TB, cfg model.Config, prop string) Result {
	t.Helper()
	return o.Expect(t, cfg, prop, Violated)
}

// lookup resolves property IDs, failing the test on an unknown one or a
// witness (only safety properties have verdicts to expect).
func lookup(t TB, ids []string) ([]properties.Property, bool) {
	t.Helper()
	ps, err := properties.Lookup(ids)
	if err != nil {
		t.Fatalf("twtest: %v", err)
		return nil, false
	}
	for _, p := range ps {
		if p.Kind != properties.Always {
			t.Fatalf("twtest: %s is a witness (a reachability goal), not a safety property; check the property it belongs to", p.ID)
			return nil, false
		}
	}
	return ps, true
}

// skipShort skips the test under -short when cfg is larger than ShortMSL.
func (o Options) skipShort(t TB, cfg model.Config) bool {
	t.Helper()
	limit := o.ShortMSL
	if limit == 0 {
		limit = 1
	}
	if limit > 0 && testing.Short() && cfg.MSL > limit {
		t.Skipf("twtest: msl=%d is larger than -short checks (msl ≤ %d); run without -short", cfg.MSL, limit)
		return true
	}
	return false
}

// checkContext returns the context of a check: the test's own when it has one,
// ending a little before the test's deadline when it has one, so that a
// check about to time out fails as incomplete instead of panicking.
func checkContext(t TB) (context.Context, context.CancelFunc) {
	ctx := context.Background()
	if c, ok := t.(interface{ Context() context.Context }); ok {
		ctx = c.Context()
	}
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, has := d.Deadline(); has {
			margin := time.Until(dl) / 10
			if margin > 5*time.Second {
				margin = 5 * time.Second
			}
			return context.WithDeadline(ctx, dl.Add(-margin))
		}
	}
	return context.WithCancel(ctx)
}

// run explores cfg once for ps and judges each property against want,
// filling out.
func (o Options) run(t TB, cfg model.Config, ps []properties.Property, want []Verdict, out []Result) {
	t.Helper()
	ctx, cancel := checkContext(t)
	defer cancel()
	rep, err := verify.Check(ctx, cfg, ps, verify.Options{MaxStates: o.MaxStates, StopEarly: true})
	var me *verify.ModelError
	switch {
	case errors.As(err, &me):
		t.Fatalf("twtest: %s: %v\nThe model cannot represent this configuration's runs; no property can be judged.", describe(cfg), err)
		return
	case err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
		t.Fatalf("twtest: %s: %v", describe(cfg), err)
		return
	}
	for i, p := range ps {
		oc, _ := rep.Outcome(p.ID)
		r := Result{Property: p.ID, Verdict: oc.Verdict, Config: rep.Config, States: rep.States, Complete: rep.Complete}
		if oc.Verdict == checker.Violated {
			_, replayed, err := traces.FromPath(rep.Config, p, traces.SearchShortest, oc.Path)
			if err != nil {
				t.Fatalf("twtest: %s: %s: the counterexample does not replay (a bug in the model or the explorer): %v", describe(cfg), p.ID, err)
				return
			}
			r.Counterexample = &replayed
		}
		o.judge(t, cfg, rep, p, want[i], &r)
		out[i] = r
	}
}

// judge compares one outcome with the verdict wanted and reports it.
func (o Options) judge(t TB, cfg model.Config, rep verify.Report, p properties.Property, want Verdict, r *Result) {
	t.Helper()
	where := describe(cfg)
	switch {
	case r.Verdict == checker.Violated && want == Violated:
		t.Logf("%s: violated at %s, as expected: shortest counterexample %d steps (%s)",
			p.ID, where, len(r.Counterexample.Steps), faultSummary(r.Counterexample))
	case r.Verdict == checker.Violated:
		file, note := o.writeTrace(t, r.Counterexample.Trace, p.ID)
		r.File = file
		t.Errorf("%s", violationMessage(p.ID, where, "want holds", "shortest counterexample", r.Counterexample, note))
	case r.Verdict == checker.Holds && want == Violated:
		t.Errorf("%s: holds at %s (complete search, %d states), want violated", p.ID, where, r.States)
	case r.Verdict == checker.Holds:
		w, found := rep.Outcome(p.Witness)
		switch {
		case !found || w.Verdict == checker.Found:
			t.Logf("%s: holds at %s (complete search, %d states)", p.ID, where, r.States)
		case o.AllowVacuous:
			t.Logf("%s: holds at %s (complete search, %d states), vacuously: its witness %s was never reached", p.ID, where, r.States, p.Witness)
		default:
			t.Errorf("%s: holds at %s (complete search, %d states), but vacuously: its witness %s (%s) was never reached, so what the property guards never happens; "+
				"change the configuration, or set twtest.Options{AllowVacuous: true} if that is the point", p.ID, where, r.States, p.Witness, witnessTitle(p.Witness))
		}
	default:
		t.Errorf("%s: no violation in %d states at %s, but the search was cut short (%s): want %s, and an incomplete search shows neither; "+
			"raise Options.MaxStates or the test timeout (-timeout), or check a smaller configuration", p.ID, r.States, where, stopReason(rep), want)
	}
}

func witnessTitle(id string) string {
	if w, ok := properties.ByID(id); ok {
		return w.Title
	}
	return "unknown"
}

func stopReason(rep verify.Report) string {
	if rep.StopReason != "" {
		return rep.StopReason
	}
	return "stopped"
}

// faultSummary says what the run needs of the network.
func faultSummary(r *traces.Replayed) string {
	return strings.TrimPrefix(traces.Faults(*r).Summary, "needs ")
}

// violationMessage is the failure message of a violated property: what was
// wanted, what kind of run shows it, the timeline, and where the trace file
// is (note).
func violationMessage(prop, where, want, kind string, r *traces.Replayed, note string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: violated at %s, %s\n", prop, where, want)
	fmt.Fprintf(&b, "%s, %d steps; needs %s:\n", kind, len(r.Steps), faultSummary(r))
	if err := traces.WriteTimeline(&b, *r); err != nil {
		fmt.Fprintf(&b, "(timeline: %v)\n", err)
	}
	b.WriteString(note)
	return strings.TrimRight(b.String(), "\n")
}
