package verify

import (
	"context"
	"fmt"
	"testing"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// BenchmarkCheckDefault explores the default configuration at MSL 1 and 2
// (TW = 2·MSL) with the two TIME-WAIT properties and reports states/s,
// transitions/s and the states explored.
func BenchmarkCheckDefault(b *testing.B) {
	for _, msl := range []int{1, 2} {
		b.Run(map[int]string{1: "msl=1", 2: "msl=2"}[msl], func(b *testing.B) {
			cfg := model.DefaultConfig()
			cfg.MSL, cfg.TW = msl, 2*msl
			props := properties.Safety()[:2]
			var states, trans int
			var secs float64
			for i := 0; i < b.N; i++ {
				rep, err := Check(context.Background(), cfg, props, Options{NoWitnesses: true})
				if err != nil {
					b.Fatal(err)
				}
				states, trans, secs = states+rep.States, trans+rep.Transitions, secs+rep.Seconds
			}
			b.ReportMetric(float64(states)/secs, "states/s")
			b.ReportMetric(float64(trans)/secs, "transitions/s")
			b.ReportMetric(float64(states)/float64(b.N), "states")
		})
	}
}

// exploreConfigs are the benchmark configurations of docs/performance.md,
// each named by the command that checks it.
var exploreConfigs = []struct {
	name, command string
	cfg           func() model.Config
}{
	{"small", "timewait check --msl 1 --tw 2 --property no-rst-on-retransmitted-fin", model.DefaultConfig},
	{"medium", "timewait check --msl 2 --tw 4 --property no-rst-on-retransmitted-fin", func() model.Config {
		c := model.DefaultConfig()
		c.MSL, c.TW = 2, 4
		return c
	}},
	// The issue-7 command (--msl 8 --tw 16 --loss 2 --dup 2 --retries 3)
	// reaches more than 470 million states and stops at the default memory
	// bound on a 24 GiB machine (docs/performance.md); this configuration
	// has 2.4 million and is one of the SPIN comparison's rows.
	{"large", "timewait check --msl 2 --tw 4 --loss 0 --dup 2 --property no-rst-on-retransmitted-fin", func() model.Config {
		c := model.DefaultConfig()
		c.MSL, c.TW, c.Loss, c.Dup = 2, 4, 0, 2
		return c
	}},
}

// BenchmarkExplore runs the explorer on the configurations of
// exploreConfigs with the fingerprint store, at one worker and at two, and
// reports distinct states/s, transitions/s and the visited set's bytes per
// state (its peak size, parent links and emission ordinals included, over
// the distinct states). The property holds on all three, so each run
// explores the whole space.
func BenchmarkExplore(b *testing.B) {
	p, ok := properties.ByID("no-rst-on-retransmitted-fin")
	if !ok {
		b.Fatal("no property no-rst-on-retransmitted-fin")
	}
	props := []properties.Property{p}
	for _, ec := range exploreConfigs {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", ec.name, w), func(b *testing.B) {
				var states, trans int
				var secs, bps float64
				for b.Loop() {
					rep, err := Check(context.Background(), ec.cfg(), props, Options{
						NoWitnesses: true, Workers: w, Store: checker.StoreFingerprint,
					})
					if err != nil {
						b.Fatal(err)
					}
					if !rep.Complete || !rep.Outcomes[0].Holds {
						b.Fatalf("%s: want a complete search on which the property holds", ec.command)
					}
					states, trans, secs = states+rep.States, trans+rep.Transitions, secs+rep.Seconds
					bps = float64(rep.VisitedBytes) / float64(rep.States)
				}
				b.ReportMetric(float64(states)/secs, "states/s")
				b.ReportMetric(float64(trans)/secs, "transitions/s")
				b.ReportMetric(bps, "bytes/state")
				b.ReportMetric(float64(states)/float64(b.N), "states")
			})
		}
	}
}

// BenchmarkPackedLevels runs the large configuration of exploreConfigs
// (fingerprints) with every level after the first packed (pack=1, see
// checker.Options.PackLevel) and with none (pack=-1), at one worker and at
// two, and reports states/s and the peak memory per distinct state (the
// visited set, the level arrays and the candidate buffers): what packing
// costs in time and saves in memory. By default only levels of a million
// states or more are followed by packed ones, and large has none.
func BenchmarkPackedLevels(b *testing.B) {
	p, ok := properties.ByID("no-rst-on-retransmitted-fin")
	if !ok {
		b.Fatal("no property no-rst-on-retransmitted-fin")
	}
	ec := exploreConfigs[2]
	for _, w := range []int{1, 2} {
		for _, pack := range []int{-1, 1} {
			b.Run(fmt.Sprintf("%s/workers=%d/pack=%d", ec.name, w, pack), func(b *testing.B) {
				var states int
				var secs, peak float64
				for b.Loop() {
					rep, err := Check(context.Background(), ec.cfg(), []properties.Property{p}, Options{
						NoWitnesses: true, Workers: w, Store: checker.StoreFingerprint, PackLevel: pack,
					})
					if err != nil {
						b.Fatal(err)
					}
					if !rep.Complete {
						b.Fatalf("%s: incomplete", ec.command)
					}
					states, secs = states+rep.States, secs+rep.Seconds
					peak = float64(rep.PeakBytes) / float64(rep.States)
				}
				b.ReportMetric(float64(states)/secs, "states/s")
				b.ReportMetric(peak, "peak-bytes/state")
			})
		}
	}
}

// BenchmarkSweep runs `timewait sweep --msl N` (the default configuration and
// the two TIME-WAIT properties, TWs from 4·MSL+1 down until both fail) with
// the shared TW search and without it (--no-share), and reports the
// sweep's seconds. The default sweep is MSL 1..4:
//
//	go test ./verify -run XXX -bench 'Sweep/msl=1..4' -benchtime 1x -timeout 60m
func BenchmarkSweep(b *testing.B) {
	for _, r := range []struct {
		name string
		msl  []int
	}{{"msl=2", []int{2}}, {"msl=3", []int{3}}, {"msl=1..4", []int{1, 2, 3, 4}}} {
		for _, noShare := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/no-share=%v", r.name, noShare), func(b *testing.B) {
				spec := SweepSpec{Base: model.DefaultConfig(), MSL: r.msl, Props: properties.Safety()[:2], NoShare: noShare}
				for b.Loop() {
					rep, err := Sweep(context.Background(), spec, nil)
					if err != nil {
						b.Fatal(err)
					}
					for _, t := range rep.Thresholds {
						if t.MinTW == nil || *t.MinTW != 2*t.MSL {
							b.Fatalf("msl=%d %s: min_tw %v, want 2·MSL", t.MSL, t.Property, t.MinTW)
						}
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/sweep")
			})
		}
	}
}

// BenchmarkSharedSearch runs the sweep's shared TW search alone on the
// default configuration's TW column (TW 4·MSL+1 down to 0) at MSL 2
// (742,276 keys) and MSL 3 (5.8 million keys) with one and two workers and
// the fingerprint store, and reports keys/s (distinct keys stored per
// second) and expansions per key.
func BenchmarkSharedSearch(b *testing.B) {
	props := properties.Safety()[:2]
	var cprops []checker.Property[model.State, model.Label]
	for _, p := range props {
		cprops = append(cprops, checker.Property[model.State, model.Label]{Name: p.ID, Kind: checker.Always, State: sound(p.State), Step: p.Step})
	}
	for _, msl := range []int{2, 3} {
		cfg := model.DefaultConfig()
		cfg.MSL = msl
		cfg.Grid = ExactGrid(cfg, props)
		var tws []int
		for tw := 4*msl + 1; tw >= 0; tw-- {
			tws = append(tws, tw)
		}
		fam, err := model.NewTWFamily(cfg, tws)
		if err != nil {
			b.Fatal(err)
		}
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("msl=%d/workers=%d", msl, w), func(b *testing.B) {
				var keys, exp int
				for b.Loop() {
					res, err := checker.CheckFamily[model.State, model.Label](context.Background(), fam, fam.Len(), cprops, checker.FamilyOptions{Workers: w, Store: checker.StoreFingerprint})
					if err != nil || !res.Complete {
						b.Fatalf("incomplete: %v", err)
					}
					keys, exp = keys+res.Keys, exp+res.Expansions
				}
				b.ReportMetric(float64(keys)/b.Elapsed().Seconds(), "keys/s")
				b.ReportMetric(float64(exp)/float64(keys), "expansions/key")
			})
		}
	}
}

// BenchmarkFloor is a reference minimal loop for the "large" configuration
// of exploreConfigs: a sequential breadth-first search that only runs
// Successors, evaluates the property's step predicate, fingerprints every
// successor and inserts it into a plain power-of-two linear-probing table,
// sized in advance for large (2²² slots, 32 MiB, 58% full at the end: it
// never grows; the explorer's table is about 24 MiB). It keeps no parent
// links (so it could not rebuild a counterexample), no state predicates,
// progress, bounds or batches; like the explorer, it buffers the
// successors of 4 states and loads their slots before inserting them. It
// checks its state and transition counts against BenchmarkExplore's, and
// reports distinct states/s: what one worker reaches with this model when
// the explorer's own work is cut to the minimum.
func BenchmarkFloor(b *testing.B) {
	ec := exploreConfigs[2]
	p, ok := properties.ByID("no-rst-on-retransmitted-fin")
	if !ok {
		b.Fatal("no property no-rst-on-retransmitted-fin")
	}
	cfg := ec.cfg()
	cfg.Grid = ExactGrid(cfg, []properties.Property{p})
	m, err := model.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var states, trans int
	for b.Loop() {
		f := &floorLoop{m: m, step: p.Step, table: make([]uint64, 1<<22)}
		n, t, bad := f.run()
		if bad {
			b.Fatalf("%s: the property failed; want it to hold", ec.command)
		}
		states, trans = states+n, trans+t
	}
	if want := 2_429_338 * b.N; states != want {
		b.Fatalf("%s: %d states in %d runs, want %d (BenchmarkExplore's count)", ec.command, states, b.N, want)
	}
	if want := 13_205_158 * b.N; trans != want {
		b.Fatalf("%s: %d transitions in %d runs, want %d (BenchmarkExplore's count)", ec.command, trans, b.N, want)
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(trans)/b.Elapsed().Seconds(), "transitions/s")
}

// floorLoop is BenchmarkFloor's search.
type floorLoop struct {
	m     *model.Model
	step  func(model.State, model.Label, model.State) bool
	table []uint64 // fingerprints, 0 = empty; len is a power of two
	n     int
	from  model.State
	bad   bool
	buf   []floorSucc
	sink  uint64
}

// floorSucc is a buffered successor and its fingerprint.
type floorSucc struct {
	s  model.State
	fp uint64
}

func (f *floorLoop) emit(l model.Label, next model.State) {
	if !f.step(f.from, l, next) {
		f.bad = true
	}
	fp := f.m.Hash(next) | 1 // never 0, the empty slot
	f.buf = append(f.buf, floorSucc{next, fp})
}

// insert adds fp and reports whether it was new. The table doubles when it
// would be more than three quarters full (never, for large).
func (f *floorLoop) insert(fp uint64) bool {
	if 4*(f.n+1) > 3*len(f.table) {
		old := f.table
		f.table, f.n = make([]uint64, max(2*len(old), 1<<16)), 0
		for _, x := range old {
			if x != 0 {
				f.insert(x)
			}
		}
	}
	mask := uint64(len(f.table) - 1)
	for i := fp >> 32 & mask; ; i = (i + 1) & mask {
		switch f.table[i] {
		case fp:
			return false
		case 0:
			f.table[i] = fp
			f.n++
			return true
		}
	}
}

// run explores the whole space and returns the distinct states, the
// transitions and whether the step predicate failed.
func (f *floorLoop) run() (states, trans int, bad bool) {
	var level, next []model.State
	for _, s := range f.m.Init() {
		if f.insert(f.m.Hash(s) | 1) {
			level = append(level, s)
		}
	}
	states = len(level)
	emit := f.emit
	for len(level) > 0 {
		next = next[:0]
		for q0 := 0; q0 < len(level); q0 += 4 {
			f.buf = f.buf[:0]
			for q := q0; q < min(q0+4, len(level)); q++ {
				f.from = level[q]
				f.m.Successors(f.from, emit)
			}
			trans += len(f.buf)
			var sink uint64
			mask := uint64(len(f.table) - 1)
			for i := range f.buf {
				sink += f.table[f.buf[i].fp>>32&mask]
			}
			for i := range f.buf {
				if f.insert(f.buf[i].fp) {
					next = append(next, f.buf[i].s)
				}
			}
			f.sink += sink // keeps the loads
		}
		states += len(next)
		level, next = next, level
	}
	return states, trans, f.bad
}
