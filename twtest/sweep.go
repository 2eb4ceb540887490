package twtest

import (
	"fmt"
	"testing"

	"github.com/timewait/timewait/model"
)

// Case is one expected verdict, as data: a property at one MSL and TIME-WAIT
// length of a base configuration.
type Case struct {
	// Name is an optional label, the first element of the subtest name: the
	// name of the variant the base configuration stands for, say.
	Name string
	// MSL and TW replace the base configuration's; an MSL of 0 keeps the
	// base's. TW is always the case's (0 is a valid TIME-WAIT).
	MSL, TW  int
	Property string // a safety property ID
	Want     Verdict
	// Slow skips the case under go test -short, as a case whose MSL is
	// above Options.ShortMSL is.
	Slow bool
}

// Config returns base with the case's MSL and TW.
func (c Case) Config(base model.Config) model.Config {
	if c.MSL != 0 {
		base.MSL = c.MSL
	}
	base.TW = c.TW
	return base
}

// SubtestName is the case's subtest name under base: "msl=2/tw=3/property",
// after "Name/" when the case has a name. Each element is one level for
// go test -run.
func (c Case) SubtestName(base model.Config) string {
	cfg := c.Config(base)
	s := fmt.Sprintf("msl=%d/tw=%d/%s", cfg.MSL, cfg.TW, c.Property)
	if c.Name != "" {
		s = c.Name + "/" + s
	}
	return s
}

// Threshold returns the two cases that pin a threshold: prop is violated at
// TW = minTW−1 and holds at TW = minTW, at that MSL.
func Threshold(prop string, msl, minTW int) []Case {
	var out []Case
	if minTW > 0 {
		out = append(out, Case{MSL: msl, TW: minTW - 1, Property: prop, Want: Violated})
	}
	return append(out, Case{MSL: msl, TW: minTW, Property: prop, Want: Holds})
}

// Sweep runs every case as a subtest of t named by [Case.SubtestName], so
// that -run selects one case and go test -json reports one test per case.
// Each case is one exhaustive check ([Expect]); under -short, cases with an
// MSL above Options.ShortMSL (1 by default) and cases marked Slow are
// skipped.
func Sweep(t *testing.T, base model.Config, cases []Case) {
	t.Helper()
	Options{}.Sweep(t, base, cases)
}

// Sweep is [Sweep] with these options.
func (o Options) Sweep(t *testing.T, base model.Config, cases []Case) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatalf("twtest: Sweep with no cases checks nothing")
	}
	for _, c := range cases {
		t.Run(c.SubtestName(base), func(t *testing.T) {
			t.Helper()
			if c.Slow && testing.Short() {
				t.Skip("twtest: a slow case (Case.Slow), skipped under -short; run without -short")
			}
			o.Expect(t, c.Config(base), c.Property, c.Want)
		})
	}
}
