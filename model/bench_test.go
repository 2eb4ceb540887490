package model_test

import (
	"testing"

	"github.com/timewait/timewait/model"
)

// BenchmarkSuccessors measures the model alone: Successors with a callback
// that only counts, over the first 200,000 states (in breadth-first order)
// of the "medium" configuration of verify's BenchmarkExplore (MSL 2,
// TW 4, the defaults otherwise). It reports ns per expanded state and
// transitions per second; the explorer's own work (fingerprints, the
// visited set, the frontier) is not in it.
func BenchmarkSuccessors(b *testing.B) {
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW = 2, 4
	m, err := model.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	const limit = 200_000
	seen := map[model.State]bool{}
	var states []model.State
	for _, s := range m.Init() {
		seen[s] = true
		states = append(states, s)
	}
	for i := 0; i < len(states) && len(states) < limit; i++ {
		m.Successors(states[i], func(_ model.Label, n model.State) {
			if !seen[n] && len(states) < limit {
				seen[n] = true
				states = append(states, n)
			}
		})
	}
	b.ResetTimer()
	trans := 0
	for b.Loop() {
		for _, s := range states {
			m.Successors(s, func(model.Label, model.State) { trans++ })
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(states)), "ns/state")
	b.ReportMetric(float64(trans)/b.Elapsed().Seconds(), "transitions/s")
}
