package checker_test

import (
	"testing"

	"github.com/timewait/timewait/checker"
)

// cell is a compact grid state for benchmarking.
type cell struct{ X, Y uint16 }

// benchGrid is an n×n grid with uint8 labels.
type benchGrid struct{ N uint16 }

func (g benchGrid) Init() []cell { return []cell{{0, 0}} }

func (g benchGrid) Successors(s cell, emit func(uint8, cell)) {
	if s.X+1 < g.N {
		emit(0, cell{s.X + 1, s.Y})
	}
	if s.Y+1 < g.N {
		emit(1, cell{s.X, s.Y + 1})
	}
}

func BenchmarkCheckGrid(b *testing.B) {
	const n = 512
	props := []checker.Property[cell, uint8]{
		{Name: "in-grid", Kind: checker.Always, State: func(s cell) bool { return s.X < n && s.Y < n }},
		{Name: "monotone", Kind: checker.Always, Step: func(f cell, _ uint8, t cell) bool { return t.X+t.Y == f.X+f.Y+1 }},
	}
	b.ReportAllocs()
	states := 0
	for b.Loop() {
		r, err := checker.Check(ctx, benchGrid{n}, props, checker.Options{})
		if err != nil || r.States != n*n || !r.Complete {
			b.Fatalf("bad result: %d states, complete=%v, err=%v", r.States, r.Complete, err)
		}
		states += r.States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
}
