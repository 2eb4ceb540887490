package twtest_test

// The tests in this file are the snippets of docs/testing.md, as written
// there, so that the guide cannot drift from what passes.

import (
	"testing"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/twtest"
)

// docs/testing.md, "The 10-line version".
func TestTimeWait(t *testing.T) {
	twtest.Check(t, model.DefaultConfig(), "no-rst-on-retransmitted-fin", "no-stale-segment-accepted")
}

// docs/testing.md, "A test for your own variant".
func TestMyStack(t *testing.T) {
	cfg := model.DefaultConfig()       // MSL 1 tick, one loss, one duplication
	cfg.TWRestart = model.RestartOnACK // my stack restarts TIME-WAIT on any ACK
	cfg.Loss = 2                       // and the network may lose two segments
	var cases []twtest.Case
	for _, p := range []string{"no-rst-on-retransmitted-fin", "no-stale-segment-accepted"} {
		// two losses push every threshold to 4·MSL: violated at 3, holds at 4
		cases = append(cases, twtest.Threshold(p, 1, 4)...)
	}
	twtest.Sweep(t, cfg, cases)
}

// docs/testing.md, "Random walks".
func TestMyStackWalk(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW, cfg.Loss, cfg.Dup = 3, 12, 2, 2 // too large to enumerate in a unit test
	twtest.CheckWalk(t, cfg)
}
