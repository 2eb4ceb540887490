package twtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// Golden is a committed counterexample: a trace file under testdata/, and the
// configuration and property that make it again.
type Golden struct {
	File     string       // path from the package directory: "testdata/golden/x.json"
	Config   model.Config // the configuration it violates Property in
	Property string       // a safety property ID
}

// CheckGolden replays g.File through the model and re-checks its property on
// the replay. It fails the test, saying exactly which and how to refresh the
// file, when the file is missing or unreadable, records another property or
// configuration than g, no longer replays (at which step, and why), replays
// but no longer violates its property, or violates it before its last step.
//
// With update (the caller's -update flag), it first regenerates g.File by
// model checking: the shortest counterexample of g.Property in g.Config.
// Nothing else in twtest writes under testdata/.
func CheckGolden(t TB, g Golden, update bool) *traces.Replayed {
	t.Helper()
	p, ok := properties.ByID(g.Property)
	if !ok || p.Kind != properties.Always {
		t.Fatalf("twtest: golden %s: %q is not a safety property (known: %s)", g.File, g.Property, strings.Join(properties.IDs(), ", "))
		return nil
	}
	refresh := refreshHint(t)
	if update && !writeGolden(t, g, p) {
		return nil
	}
	data, err := os.ReadFile(g.File)
	if errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s does not exist; create it with %s", g.File, refresh)
		return nil
	} else if err != nil {
		t.Errorf("%s: %v", g.File, err)
		return nil
	}
	tr, err := traces.Decode(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s is not a readable trace file: %v; if the format change is intended, refresh with %s", g.File, err, refresh)
		return nil
	}
	if tr.Property != g.Property {
		t.Errorf("%s records a counterexample of %s, but the test declares %s; refresh with %s", g.File, tr.Property, g.Property, refresh)
		return nil
	}
	if want := goldenConfig(g.Config, p); tr.Config.Resolved() != want {
		t.Errorf("%s was found at %s, but the test declares %s; refresh with %s", g.File, describe(tr.Config), describe(want), refresh)
		return nil
	}
	r, rc, err := traces.Verify(tr)
	var re *traces.ReplayError
	switch {
	case errors.As(err, &re) && re.Step > 0:
		t.Errorf("%s no longer replays at step %d (%s): %s; if the model change is intended, refresh with %s", g.File, re.Step, re.Action, re.Reason, refresh)
		return nil
	case errors.As(err, &re):
		t.Errorf("%s no longer replays: %s; if the model change is intended, refresh with %s", g.File, re.Reason, refresh)
		return nil
	case err != nil:
		t.Errorf("%s no longer replays: %v; if the model change is intended, refresh with %s", g.File, err, refresh)
		return nil
	case rc.At < 0:
		t.Errorf("%s replays but no longer violates %s: none of its %d steps does; if the model change is intended, refresh with %s", g.File, g.Property, len(r.Steps), refresh)
		return nil
	case rc.At != len(r.Steps):
		t.Errorf("%s replays but violates %s at step %d, before its last step %d: the model now fails earlier; if the model change is intended, refresh with %s", g.File, g.Property, rc.At, len(r.Steps), refresh)
		return nil
	}
	t.Logf("%s replays and violates %s at its last step, %d", g.File, g.Property, rc.At)
	return &r
}

// goldenConfig is the configuration a golden trace records: g's, on the
// grid verify.Check explores it with, resolved.
func goldenConfig(cfg model.Config, p properties.Property) model.Config {
	cfg.Grid = verify.ExactGrid(cfg, []properties.Property{p})
	return cfg.Resolved()
}

// writeGolden model-checks g and writes its shortest counterexample to
// g.File. It reports whether the file is now there.
func writeGolden(t TB, g Golden, p properties.Property) bool {
	t.Helper()
	ctx, cancel := checkContext(t)
	defer cancel()
	rep, err := verify.Check(ctx, g.Config, []properties.Property{p}, verify.Options{StopEarly: true, NoWitnesses: true})
	if err != nil {
		t.Fatalf("twtest: cannot refresh %s: %v", g.File, err)
		return false
	}
	o, _ := rep.Outcome(p.ID)
	if o.Verdict != checker.Violated {
		t.Fatalf("twtest: cannot refresh %s: %s: %s at %s, so there is no counterexample to record; change the golden's configuration or drop it",
			g.File, p.ID, o.Verdict, describe(g.Config))
		return false
	}
	tr, _, err := traces.FromPath(rep.Config, p, traces.SearchShortest, o.Path)
	if err != nil {
		t.Fatalf("twtest: cannot refresh %s: the counterexample does not replay: %v", g.File, err)
		return false
	}
	var buf bytes.Buffer
	if err := traces.Encode(&buf, tr); err != nil {
		t.Fatalf("twtest: cannot refresh %s: %v", g.File, err)
		return false
	}
	if old, err := os.ReadFile(g.File); err == nil && bytes.Equal(old, buf.Bytes()) {
		t.Logf("%s is up to date (%d steps)", g.File, len(tr.Actions))
		return true
	}
	if err := os.MkdirAll(filepath.Dir(g.File), 0o755); err != nil {
		t.Fatalf("twtest: cannot refresh %s: %v", g.File, err)
		return false
	}
	if err := os.WriteFile(g.File, buf.Bytes(), 0o644); err != nil {
		t.Fatalf("twtest: cannot refresh %s: %v", g.File, err)
		return false
	}
	t.Logf("wrote %s: shortest counterexample of %s at %s, %d steps", g.File, p.ID, describe(g.Config), len(tr.Actions))
	return true
}

// refreshHint is the command that refreshes the golden files of the
// running test: "`go test ./twtest -run TestGolden -update`".
func refreshHint(t TB) string {
	top, _, _ := strings.Cut(t.Name(), "/")
	return fmt.Sprintf("`go test %s -run %s -update`", packageDir(), top)
}

// packageDir is the directory of the package under test (the working
// directory of go test) relative to its module root, as go test spells it:
// "./twtest". It is "." when it cannot be told.
func packageDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}
