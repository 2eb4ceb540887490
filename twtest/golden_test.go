package twtest_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/twtest"
)

var update = flag.Bool("update", false, "regenerate testdata/golden/ by model checking")

// goldens are the committed counterexamples: each property one tick below
// its threshold at MSL 1, and one deliberately broken variant.
func goldens() []twtest.Golden {
	at := func(tw int, mut model.Mutant) model.Config {
		c := model.DefaultConfig()
		c.TW, c.Mutant = tw, mut
		return c
	}
	return []twtest.Golden{
		{File: "testdata/golden/no-rst-on-retransmitted-fin.msl1-tw1.json", Config: at(1, model.NoMutant), Property: "no-rst-on-retransmitted-fin"},
		{File: "testdata/golden/no-stale-segment-accepted.msl1-tw1.json", Config: at(1, model.NoMutant), Property: "no-stale-segment-accepted"},
		{File: "testdata/golden/no-stale-reset.msl1-tw2.json", Config: at(2, model.NoMutant), Property: "no-stale-reset"},
		{File: "testdata/golden/time-wait-ignores-fin.msl1-tw2.json", Config: at(2, model.MutTimeWaitIgnoresFIN), Property: "no-rst-on-retransmitted-fin"},
	}
}

// TestGolden replays every committed counterexample and re-checks its
// property. -update regenerates them by model checking.
func TestGolden(t *testing.T) {
	for _, g := range goldens() {
		t.Run(filepath.Base(g.File), func(t *testing.T) {
			r := twtest.CheckGolden(t, g, *update)
			require.NotNil(t, r)
		})
	}
}

// TestGoldenFailures: each way a golden file can go stale fails with the
// exact reason and the command that refreshes it.
func TestGoldenFailures(t *testing.T) {
	g := goldens()[0]
	data, err := os.ReadFile(g.File)
	require.NoError(t, err)
	tr, err := traces.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	n := len(tr.Actions)
	const refresh = "refresh with `go test ./twtest -run TestGolden -update`"

	for _, c := range []struct {
		name string
		edit func(tr *traces.Trace) // nil: no file at all
		raw  string                 // written as is when set
		cfg  func(*model.Config)    // changes the declared configuration
		want string
	}{
		{name: "missing", want: "x.json does not exist; create it with `go test ./twtest -run TestGolden -update`"},
		{name: "unreadable", raw: `{"format": "timewait-trace",`, want: "x.json is not a readable trace file: bad trace file at line 1"},
		{name: "model changed", edit: func(tr *traces.Trace) { tr.States[4] = "somewhere else" },
			want: "x.json no longer replays at step 5 (" + tr.Actions[4] + "): reaches "},
		{name: "initial state changed", edit: func(tr *traces.Trace) { tr.Init = "elsewhere" },
			want: "x.json no longer replays: initial state differs from the model's; if the model change is intended, " + refresh},
		{name: "action gone", edit: func(tr *traces.Trace) { tr.Actions[2], tr.States, tr.Labels = "timeout B tw", nil, nil },
			want: "x.json no longer replays at step 3 (timeout B tw): not enabled in state "},
		{name: "no longer violates", edit: func(tr *traces.Trace) {
			tr.Actions, tr.States, tr.Labels = tr.Actions[:n-1], tr.States[:n-1], tr.Labels[:n-1]
		}, want: "x.json replays but no longer violates no-rst-on-retransmitted-fin: none of its " + strconv.Itoa(n-1) + " steps does; if the model change is intended, " + refresh},
		{name: "another property", edit: func(tr *traces.Trace) { tr.Property = "no-stale-reset" },
			want: "x.json records a counterexample of no-stale-reset, but the test declares no-rst-on-retransmitted-fin; " + refresh},
		{name: "another configuration", edit: func(tr *traces.Trace) {}, cfg: func(c *model.Config) { c.Loss = 2 },
			want: "x.json was found at msl=1 tw=1 rto=1 grid=2, but the test declares msl=1 tw=1 rto=1 loss=2 grid=2; " + refresh},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "x.json")
			switch {
			case c.raw != "":
				require.NoError(t, os.WriteFile(file, []byte(c.raw), 0o644))
			case c.edit != nil:
				bad := tr
				bad.Actions = append([]string(nil), tr.Actions...)
				bad.States = append([]string(nil), tr.States...)
				bad.Labels = append([]string(nil), tr.Labels...)
				c.edit(&bad)
				var buf bytes.Buffer
				require.NoError(t, traces.Encode(&buf, bad))
				require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
			}
			decl := twtest.Golden{File: file, Config: g.Config, Property: g.Property}
			if c.cfg != nil {
				c.cfg(&decl.Config)
			}
			ft := newFake("TestGolden/x.json", t.TempDir())
			require.Nil(t, twtest.CheckGolden(ft, decl, false))
			require.True(t, ft.Failed())
			require.Contains(t, ft.errors(), c.want)
			require.Contains(t, ft.errors(), refresh[len("refresh with "):])
		})
	}
}

// TestGoldenUpdate: -update writes the file by model checking, the result
// passes, and a second update leaves it as it is.
func TestGoldenUpdate(t *testing.T) {
	g := goldens()[0]
	g.File = filepath.Join(t.TempDir(), "sub", "fresh.json")
	ft := newFake("TestGolden/fresh", t.TempDir())
	require.NotNil(t, twtest.CheckGolden(ft, g, true))
	require.False(t, ft.Failed(), ft.errors())
	require.Contains(t, ft.output(), "wrote "+g.File)
	first, err := os.ReadFile(g.File)
	require.NoError(t, err)
	committed, err := os.ReadFile(goldens()[0].File)
	require.NoError(t, err)
	require.JSONEq(t, string(committed), string(first), "the committed golden is what -update writes")

	ft = newFake("TestGolden/fresh", t.TempDir())
	require.NotNil(t, twtest.CheckGolden(ft, g, true))
	require.Contains(t, ft.output(), "is up to date")

	// A configuration in which the property holds has no counterexample to
	// record.
	g.Config.TW = 2
	ft = newFake("TestGolden/fresh", t.TempDir())
	require.Nil(t, twtest.CheckGolden(ft, g, true))
	require.Contains(t, ft.errors(), "cannot refresh")
	require.Contains(t, ft.errors(), "no-rst-on-retransmitted-fin: holds at msl=1 tw=2, so there is no counterexample to record")
	var still traces.Trace
	require.NoError(t, json.Unmarshal(first, &still), "a failed refresh leaves the file alone")
}
