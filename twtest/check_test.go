package twtest_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/twtest"
)

// TestCheckHolds: the two TIME-WAIT properties hold at TW = 2·MSL and
// no-stale-reset at 3·MSL, at MSL 1, each with its witness reached.
func TestCheckHolds(t *testing.T) {
	rs := twtest.Check(t, model.DefaultConfig(), "no-rst-on-retransmitted-fin", "no-stale-segment-accepted")
	require.Len(t, rs, 2)
	for _, r := range rs {
		require.Equal(t, checker.Holds, r.Verdict, r.Property)
		require.True(t, r.Complete)
		require.Nil(t, r.Counterexample)
	}
	if testing.Short() {
		return // every property: a grid of 3, a few seconds
	}
	cfg := model.DefaultConfig()
	cfg.TW = 3
	rs = twtest.Check(t, cfg)
	require.Len(t, rs, 3, "no properties given: every safety property")
}

// TestCheckFailure: a deliberately broken variant fails with the shortest
// counterexample's timeline and the path of a trace file that replays and
// violates the property at its last step.
func TestCheckFailure(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.Mutant = model.MutTimeWaitIgnoresFIN
	dir := t.TempDir()
	ft := newFake("TestMine/variant", dir)
	rs := twtest.Check(ft, cfg, "no-rst-on-retransmitted-fin")
	require.True(t, ft.Failed())
	msg := ft.errors()
	require.Len(t, ft.errs, 1, "one failure per violated property")

	require.Len(t, rs, 1)
	r := rs[0]
	require.Equal(t, checker.Violated, r.Verdict)
	require.NotNil(t, r.Counterexample)
	n := len(r.Counterexample.Steps)
	want := filepath.Join(dir, "TestMine_variant-no-rst-on-retransmitted-fin.json")
	require.Equal(t, want, r.File)

	for _, s := range []string{
		"no-rst-on-retransmitted-fin: violated at msl=1 tw=2 mutant=time-wait-ignores-fin, want holds\n",
		"shortest counterexample, " + strconv.Itoa(n) + " steps; needs ",
		"  step    time  actor event (then: A | B | in flight)\n",
		"(TIME-WAIT × FIN: drop FIN silently [mutant rule])",
		"trace file: " + want + "\n",
		"(in t.TempDir(), deleted when the test ends: set TIMEWAIT_TRACE_DIR=DIR to keep it)",
		"show it with: timewait trace show " + want,
	} {
		require.Contains(t, msg, s)
	}
	require.Contains(t, msg, "  "+strconv.Itoa(n)+" ", "the timeline reaches the last step")

	data, err := os.ReadFile(want)
	require.NoError(t, err)
	tr, err := traces.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, traces.SearchShortest, tr.Search)
	_, rc, err := traces.Verify(tr)
	require.NoError(t, err)
	require.Equal(t, n, rc.At)
}

// TestTraceDir: $TIMEWAIT_TRACE_DIR, and Options.TraceDir over it, choose
// where trace files go; the message then does not warn about deletion.
func TestTraceDir(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.TW = 1
	env := filepath.Join(t.TempDir(), "env", "made")
	t.Setenv(twtest.EnvTraceDir, env)

	ft := newFake("TestEnv", t.TempDir())
	r := twtest.Expect(ft, cfg, "no-stale-segment-accepted", twtest.Holds)
	require.Equal(t, filepath.Join(env, "TestEnv-no-stale-segment-accepted.json"), r.File)
	require.FileExists(t, r.File)
	require.NotContains(t, ft.errors(), "t.TempDir()")

	opt := filepath.Join(t.TempDir(), "opt")
	ft = newFake("TestOpt", t.TempDir())
	r = twtest.Options{TraceDir: opt}.Expect(ft, cfg, "no-stale-segment-accepted", twtest.Holds)
	require.Equal(t, filepath.Join(opt, "TestOpt-no-stale-segment-accepted.json"), r.File)
	require.FileExists(t, r.File)
}

// TestExpect: expected verdicts pass either way, and each wrong one fails
// saying what was found.
func TestExpect(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.TW = 1
	r := twtest.ExpectViolation(t, cfg, "no-rst-on-retransmitted-fin")
	require.NotNil(t, r.Counterexample)
	require.Equal(t, 13, len(r.Counterexample.Steps), "the shortest counterexample at MSL 1, TW 1 (README)")
	require.Empty(t, r.File, "an expected violation writes no file")

	ft := newFake("TestWrong", t.TempDir())
	twtest.Expect(ft, model.DefaultConfig(), "no-rst-on-retransmitted-fin", twtest.Violated)
	require.True(t, ft.Failed())
	require.Regexp(t, `^no-rst-on-retransmitted-fin: holds at msl=1 tw=2 \(complete search, \d+ states\), want violated$`, ft.errors())
}

// TestIncompleteIsNeverHolds: a search cut short by a bound fails whichever
// verdict is wanted, and says why.
func TestIncompleteIsNeverHolds(t *testing.T) {
	for _, want := range []twtest.Verdict{twtest.Holds, twtest.Violated} {
		ft := newFake("TestBound", t.TempDir())
		r := twtest.Options{MaxStates: 500}.Expect(ft, model.DefaultConfig(), "no-stale-segment-accepted", want)
		require.Equal(t, checker.Incomplete, r.Verdict)
		require.False(t, r.Complete)
		require.True(t, ft.Failed(), "want %s", want)
		msg := ft.errors()
		require.Contains(t, msg, "no-stale-segment-accepted: no violation in ")
		require.Contains(t, msg, "the search was cut short")
		require.Contains(t, msg, "want "+want.String()+", and an incomplete search shows neither")
	}
}

// TestVacuous: with an RTO of 3·MSL and no faults no FIN is ever
// retransmitted, so no-rst-on-retransmitted-fin holds because its witness is
// unreachable; that fails unless allowed.
func TestVacuous(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.RTO, cfg.Loss, cfg.Dup = 3, 0, 0
	ft := newFake("TestVacuous", t.TempDir())
	r := twtest.Check(ft, cfg, "no-rst-on-retransmitted-fin")
	require.Equal(t, checker.Holds, r[0].Verdict)
	require.True(t, ft.Failed())
	require.Contains(t, ft.errors(), "but vacuously: its witness retransmitted-fin-in-time-wait")

	ft = newFake("TestVacuous", t.TempDir())
	twtest.Options{AllowVacuous: true}.Check(ft, cfg, "no-rst-on-retransmitted-fin")
	require.False(t, ft.Failed(), ft.errors())
	require.Contains(t, ft.output(), "vacuously")
}

// TestBadInput: unknown properties, witnesses, bad configurations and bad
// verdicts fail at once.
func TestBadInput(t *testing.T) {
	bad := model.DefaultConfig()
	bad.MSL = 0
	for name, f := range map[string]func(twtest.TB){
		"unknown property":   func(t twtest.TB) { twtest.Check(t, model.DefaultConfig(), "no-such-property") },
		"witness":            func(t twtest.TB) { twtest.Check(t, model.DefaultConfig(), "stale-segment-rejected") },
		"bad configuration":  func(t twtest.TB) { twtest.Check(t, bad) },
		"no verdict":         func(t twtest.TB) { twtest.Expect(t, model.DefaultConfig(), "no-stale-reset", 0) },
		"walker, bad config": func(t twtest.TB) { twtest.NewWalker(t, bad) },
	} {
		ft := newFake("TestBadInput", t.TempDir())
		f(ft)
		require.True(t, ft.Failed(), name)
		require.Contains(t, ft.errors(), "twtest: ", name)
	}
}

// TestShort: under -short a check larger than MSL 1 is skipped, saying so;
// otherwise it runs (here into a tiny bound, so that it fails fast).
func TestShort(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW = 2, 4
	ft := newFake("TestShort", t.TempDir())
	twtest.Options{MaxStates: 10}.Check(ft, cfg, "no-stale-reset")
	if testing.Short() {
		require.True(t, ft.skipped)
		require.False(t, ft.Failed())
		require.Contains(t, ft.output(), "msl=2 is larger than -short checks")
	} else {
		require.False(t, ft.skipped)
		require.True(t, ft.Failed())
	}
	ft = newFake("TestShort", t.TempDir())
	twtest.Options{MaxStates: 10, ShortMSL: -1}.Check(ft, cfg, "no-stale-reset")
	require.False(t, ft.skipped, "a negative ShortMSL never skips")
}

// TestSweep checks the closed-form thresholds of the default configuration
// as data: both TIME-WAIT properties at 2·MSL, no-stale-reset at 3·MSL. The
// MSL 2 cases and the slow no-stale-reset ones are skipped under -short.
func TestSweep(t *testing.T) {
	var cases []twtest.Case
	for _, msl := range []int{1, 2} {
		cases = append(cases, twtest.Threshold("no-rst-on-retransmitted-fin", msl, 2*msl)...)
		cases = append(cases, twtest.Threshold("no-stale-segment-accepted", msl, 2*msl)...)
	}
	for _, c := range twtest.Threshold("no-stale-reset", 1, 3) {
		c.Slow = true // explored on a grid of 3: a few seconds
		cases = append(cases, c)
	}
	twtest.Sweep(t, model.DefaultConfig(), cases)
}

// TestSweepVariant: a named variant's cases, and the subtest names -run
// selects them by. Restarting TIME-WAIT on any ACK leaves the retransmitted-
// FIN threshold at 2·MSL (the slow-final-ACK chain still sets it).
func TestSweepVariant(t *testing.T) {
	base := model.DefaultConfig()
	base.TWRestart = model.RestartOnACK
	cases := twtest.Threshold("no-rst-on-retransmitted-fin", 1, 2)
	for i := range cases {
		cases[i].Name = "tw-restart-ack"
	}
	require.Equal(t, "tw-restart-ack/msl=1/tw=1/no-rst-on-retransmitted-fin", cases[0].SubtestName(base))
	require.Equal(t, twtest.Violated, cases[0].Want)
	require.Equal(t, twtest.Holds, cases[1].Want)
	require.Equal(t, "msl=2/tw=3/no-stale-segment-accepted",
		twtest.Case{MSL: 2, TW: 3, Property: "no-stale-segment-accepted"}.SubtestName(base))
	require.Equal(t, 5, twtest.Case{TW: 0}.Config(model.Config{MSL: 5, TW: 9}).MSL, "MSL 0 keeps the base's")
	require.Equal(t, 0, twtest.Case{TW: 0}.Config(model.Config{MSL: 5, TW: 9}).TW, "TW is always the case's")
	twtest.Sweep(t, base, cases)
}

// TestTraceFilesNotOverwritten: two failures of the same property in one
// test write two files, each message naming its own.
func TestTraceFilesNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	cfg := model.DefaultConfig()
	var paths []string
	for _, tw := range []int{0, 1} {
		c := cfg
		c.TW = tw
		ft := newFake("TestCollide", t.TempDir())
		r := twtest.Options{TraceDir: dir}.Check(ft, c, "no-rst-on-retransmitted-fin")
		require.Len(t, r, 1)
		require.NotEmpty(t, r[0].File)
		paths = append(paths, r[0].File)
	}
	require.NotEqual(t, paths[0], paths[1])
	for i, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		require.Contains(t, string(data), fmt.Sprintf(`"tw": %d,`, i), p)
	}
}
