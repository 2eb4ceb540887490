package twtest_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/twtest"
	"github.com/timewait/timewait/verify"
)

// TestWalkLargeConfigurations walks configurations larger than the
// exhaustive tests reach — two losses, two duplications, three incarnations,
// MSL 2 and 3 — at the TIME-WAIT the closed forms say is enough (with two
// losses every property needs 4·MSL, docs/model.md), checking every safety
// property at every step: the walks must find nothing. Walks are three
// rapid.T.Repeat rounds long (about 90 steps), and every property's witness
// must be reached by some walk, so that "nothing found" means something.
//
// The third incarnation is never reached here, nor in an exhaustive check of
// the same setting at MSL 1: only the first incarnation closes, and while
// every property holds nothing ends the second one.
func TestWalkLargeConfigurations(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*model.Config)
	}{
		{"msl=2/tw=8/loss=2/dup=2/incarnations=3", func(c *model.Config) {
			c.MSL, c.TW, c.Loss, c.Dup, c.Incarnations = 2, 8, 2, 2, 3
		}},
		{"msl=3/tw=12/loss=2/dup=2/incarnations=3", func(c *model.Config) {
			c.MSL, c.TW, c.Loss, c.Dup, c.Incarnations = 3, 12, 2, 2, 3
		}},
		{"msl=2/tw=8/loss=2/dup=2/incarnations=3/close-order=any", func(c *model.Config) {
			c.MSL, c.TW, c.Loss, c.Dup, c.Incarnations, c.CloseOrder = 2, 8, 2, 2, 3, model.AnyFirst
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := model.DefaultConfig()
			c.edit(&cfg)
			st := &twtest.WalkStats{}
			twtest.WalkOptions{Rounds: 3, Stats: st}.CheckWalk(t, cfg)
			t.Logf("%d walks, %d steps on average, longest %d; walks by highest incarnation %v; witnesses reached %v",
				st.Walks, st.Steps/max(st.Walks, 1), st.Longest, st.Incarnation[1:4], st.Witnesses)
			if testing.Short() {
				return // too few walks to insist on every witness
			}
			for _, p := range properties.Safety() {
				require.Positive(t, st.Witnesses[p.Witness], "no walk reached %s: the walks are too short or too few to check %s", p.Witness, p.ID)
			}
		})
	}
}

// TestWalkWeights: walks with other weights — only ticks weigh anything,
// or all kinds the same — still run and find nothing where every property
// holds. (A single weighted choice once drew no bits, which rapid refuses.)
func TestWalkWeights(t *testing.T) {
	for name, w := range map[string]twtest.Weights{
		"ticks only": {Tick: 1},
		"uniform":    {Deliver: 1, DeliverMid: 1, DeliverLast: 1, Drop: 1, Dup: 1, Close: 1, Connect: 1, Timeout: 1, Tick: 1},
	} {
		t.Run(name, func(t *testing.T) {
			st := &twtest.WalkStats{}
			twtest.WalkOptions{Weights: w, Stats: st}.CheckWalk(t, model.DefaultConfig(), "no-rst-on-retransmitted-fin", "no-stale-segment-accepted")
			require.Positive(t, st.Walks)
		})
	}
	ft := newFake("TestWalkWeights", t.TempDir())
	require.Nil(t, twtest.WalkOptions{Weights: twtest.Weights{Tick: -1}}.NewWalker(ft, model.DefaultConfig()))
	require.Contains(t, ft.errors(), "negative walk weight")
}

// TestWalkFailure: a walk of a deliberately broken variant fails with
// rapid's seed, the timeline of the shrunk walk and the path of its trace
// file, which replays and violates the property at its last step.
func TestWalkFailure(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.Mutant = model.MutTimeWaitIgnoresFIN
	checks, took, rec, file := hunt(t, cfg, "no-rst-on-retransmitted-fin", 10_000, 60*time.Second)
	require.NotNil(t, rec, "no violation in %d walks (%v)", checks, took)
	msg := rec.errors()
	for _, s := range []string{
		"[rapid] failed after ",
		"no-rst-on-retransmitted-fin: violated at msl=1 tw=2 mutant=time-wait-ignores-fin, found by a random walk\n",
		"\nwalk, ",
		"  step    time  actor event (then: A | B | in flight)\n",
		"drop FIN silently [mutant rule]",
		"trace file: " + file + "\n",
		"(in t.TempDir(), deleted when the test ends: set TIMEWAIT_TRACE_DIR=DIR to keep it)",
		"show it with: timewait trace show " + file,
		"-rapid.seed=",
	} {
		require.Contains(t, msg, s)
	}
	require.Contains(t, rec.output(), "[rapid] draw take: ", "rapid's log names each step's action")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	tr, err := traces.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	r, rc, err := traces.Verify(tr)
	require.NoError(t, err)
	require.Equal(t, len(r.Steps), rc.At)
	require.Contains(t, msg, "walk, "+strconv.Itoa(len(r.Steps))+" steps", "the file holds the shrunk walk")
}

// rapidChecks is the number of walks one rapid.Check makes: -rapid.checks,
// divided by 5 under -short as rapid does.
func rapidChecks(t *testing.T) int {
	f := flag.Lookup("rapid.checks")
	require.NotNil(t, f)
	n, err := strconv.Atoi(f.Value.String())
	require.NoError(t, err)
	if testing.Short() {
		n /= 5
	}
	return max(n, 1)
}

var failedAfter = regexp.MustCompile(`\[rapid\] failed after (\d+) tests`)

// hunt runs rapid.Check on a walker of cfg checking prop, with a recorder
// for a T, until rapid reports a failure, or until both maxChecks walks and
// budget have passed. It returns how many walks it took (the failing one included), how
// long, the recorder of the failing check, and the trace file the walker
// left (the shrunk walk).
func hunt(t *testing.T, cfg model.Config, prop string, maxChecks int, budget time.Duration) (int, time.Duration, *fakeT, string) {
	t.Helper()
	dir := t.TempDir()
	// rapid writes its fail files under testdata/rapid/ of the working
	// directory: keep them out of the package.
	t.Chdir(dir)
	per := rapidChecks(t)
	start := time.Now()
	done := 0
	for round := 0; done < maxChecks || time.Since(start) < budget; round++ {
		rec := newFake(t.Name()+"/"+strconv.Itoa(round), dir)
		st := &twtest.WalkStats{}
		w := twtest.WalkOptions{Stats: st}.NewWalker(rec, cfg, prop)
		require.NotNil(t, w, rec.errors())
		rapid.Check(rec, w.Walk)
		if !rec.Failed() {
			done += per
			continue
		}
		t.Logf("failing round: %d walks (shrinking included), %d steps", st.Walks, st.Steps)
		m := failedAfter.FindStringSubmatch(rec.errors())
		require.NotNil(t, m, "rapid failed for another reason:\n%s", rec.output())
		n, _ := strconv.Atoi(m[1])
		files, err := filepath.Glob(filepath.Join(dir, "*.walk.json"))
		require.NoError(t, err)
		require.Len(t, files, 1)
		return done + n + 1, time.Since(start), rec, files[0]
	}
	return done, time.Since(start), nil, ""
}

// TestWalkFindsViolations shows the random walk finding, on its own, the
// violations of both TIME-WAIT properties one tick below 2·MSL, within
// 10,000 walks or 60 seconds, and shrinking them: the failure names rapid's
// seed and shows the shrunk walk's timeline and trace file, and the file
// replays through traces.Verify and violates the property at its last step.
// The shrunk walk's length is logged next to the shortest counterexample's.
func TestWalkFindsViolations(t *testing.T) {
	if testing.Short() {
		t.Skip("slow (rapid shrinks each violation for a few seconds): run without -short")
	}
	for _, msl := range []int{1, 2} {
		for _, prop := range []string{"no-rst-on-retransmitted-fin", "no-stale-segment-accepted"} {
			cfg := model.DefaultConfig()
			cfg.MSL, cfg.TW = msl, 2*msl-1
			t.Run("msl="+strconv.Itoa(msl)+"/tw="+strconv.Itoa(cfg.TW)+"/"+prop, func(t *testing.T) {
				checks, took, rec, file := hunt(t, cfg, prop, 10_000, 60*time.Second)
				require.NotNil(t, rec, "no violation of %s in %d walks (%v)", prop, checks, took)
				out := rec.output()
				require.Contains(t, out, "-rapid.seed=", "rapid names the seed")
				require.Contains(t, out, prop+": violated at msl=")
				require.Contains(t, out, "found by a random walk")
				require.Contains(t, out, "step    time  actor", "the timeline")
				require.Contains(t, out, "trace file: "+file)

				data, err := os.ReadFile(file)
				require.NoError(t, err)
				tr, err := traces.Decode(bytes.NewReader(data))
				require.NoError(t, err)
				require.Empty(t, tr.Search, "a walk is not a search")
				r, rc, err := traces.Verify(tr)
				require.NoError(t, err)
				require.Equal(t, len(r.Steps), rc.At, "the shrunk walk violates %s at its last step", prop)

				p, _ := properties.ByID(prop)
				rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{StopEarly: true, NoWitnesses: true})
				require.NoError(t, err)
				o, _ := rep.Outcome(prop)
				require.NotNil(t, o.Path)
				require.GreaterOrEqual(t, len(r.Steps), o.Path.Len(), "no walk is shorter than the shortest counterexample")
				t.Logf("found after %d walks in %v; shrunk walk %d steps, shortest counterexample %d steps", checks, took.Round(time.Millisecond), len(r.Steps), o.Path.Len())
			})
		}
	}
}
