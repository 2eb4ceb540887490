package verify_test

import (
	"context"
	"fmt"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/verify"
)

// Check the textbook setting with MSL = 1 tick: TIME-WAIT = 2·MSL keeps the
// peer's retransmitted FIN from meeting an RST, and one tick less does not.
func ExampleCheck() {
	p, _ := properties.ByID("no-rst-on-retransmitted-fin")
	for _, tw := range []int{2, 1} {
		cfg := model.DefaultConfig()
		cfg.MSL, cfg.TW = 1, tw
		rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{StopEarly: true})
		if err != nil {
			fmt.Println(err)
			return
		}
		o, _ := rep.Outcome(p.ID)
		fmt.Printf("tw=%d: %s", tw, o.Verdict)
		if o.Path != nil {
			fmt.Printf(" (shortest counterexample: %d steps)", o.Path.Len())
		}
		fmt.Println()
	}
	// Output:
	// tw=2: holds
	// tw=1: violated (shortest counterexample: 13 steps)
}

// Sweep TIME-WAIT for MSL = 1 and read each property's threshold.
func ExampleSweep() {
	spec := verify.SweepSpec{Base: model.DefaultConfig(), MSL: []int{1}, Props: properties.Safety()[:2]}
	rep, err := verify.Sweep(context.Background(), spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range rep.Thresholds {
		fmt.Printf("msl=%d %s: min_tw=%d\n", t.MSL, t.Property, *t.MinTW)
	}
	// Output:
	// msl=1 no-rst-on-retransmitted-fin: min_tw=2
	// msl=1 no-stale-segment-accepted: min_tw=2
}
