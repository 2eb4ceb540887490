package traces_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// update (-update) rewrites the golden files of every test in this package
// that has them.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// renderIDs are the properties whose counterexamples at MSL 1, TW 1
// are the golden inputs of every rendering.
var renderIDs = []string{"no-rst-on-retransmitted-fin", "no-stale-segment-accepted"}

// counterexample returns the shortest counterexample of property id at
// MSL = 1, TW = 1 (2·MSL − 1: both TIME-WAIT properties are violated).
func renderCE(t testing.TB, id string) traces.Replayed {
	t.Helper()
	cfg := model.DefaultConfig()
	cfg.TW = 1
	return renderCEAt(t, id, cfg)
}

// renderCEAt returns the shortest counterexample (or witness) of property
// id in cfg.
func renderCEAt(t testing.TB, id string, cfg model.Config) traces.Replayed {
	t.Helper()
	p, ok := properties.ByID(id)
	require.True(t, ok, id)
	rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{StopEarly: true})
	require.NoError(t, err)
	o, _ := rep.Outcome(p.ID)
	require.NotNil(t, o.Path, "%s has a counterexample (or witness) in %+v", id, cfg)
	_, r, err := traces.FromPath(rep.Config, p, traces.SearchShortest, o.Path)
	require.NoError(t, err)
	return r
}

// faultyRun is a short hand-made run with a duplication, a loss and a
// retransmission; it violates nothing.
func renderFaulty(t testing.TB) traces.Replayed {
	t.Helper()
	tr := traces.Trace{
		Format: traces.Format, Version: traces.Version, Variant: traces.DefaultVariant,
		Property: "no-rst-on-retransmitted-fin", Kind: traces.KindCounterexample, Config: model.DefaultConfig().Resolved(),
		Actions: []string{
			"dup B>A ACK seq=1 ack=1 len=1 inc=1 age=0",
			"deliver B>A ACK seq=1 ack=1 len=1 inc=1 age=0",
			"drop A>B ACK seq=1 ack=2 inc=1 age=0",
			"tick",
			"deliver B>A ACK seq=1 ack=1 len=1 inc=1 age=1",
			"tick",
			"timeout B rtx0",
		},
	}
	r, err := traces.Replay(tr)
	require.NoError(t, err)
	return r
}

type renderWriter struct {
	ext   string
	write func(io.Writer, traces.Replayed) error
}

var renderWriters = []renderWriter{
	{"ladder.txt", traces.WriteLadder},
	{"mmd", traces.WriteMermaid},
	{"svg", traces.WriteSVG},
	{"html", traces.WriteHTML},
}

func renderOut(t testing.TB, w func(io.Writer, traces.Replayed) error, r traces.Replayed) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, w(&b, r))
	require.True(t, utf8.Valid(b.Bytes()), "valid UTF-8")
	return b.String()
}

// TestRenderGolden compares every rendering of both counterexamples with its
// golden file byte for byte; go test -run TestRenderGolden -update rewrites
// them.
func TestRenderGolden(t *testing.T) {
	for _, id := range renderIDs {
		r := renderCE(t, id)
		for _, rd := range renderWriters {
			t.Run(id+"."+rd.ext, func(t *testing.T) {
				got := renderOut(t, rd.write, r)
				require.Equal(t, got, renderOut(t, rd.write, r), "deterministic")
				path := filepath.Join("testdata", "render", id+"."+rd.ext)
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
					require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "golden file missing: run go test ./traces -run TestRenderGolden -update")
				require.Equal(t, string(want), got, "differs from %s (go test ./traces -run TestRenderGolden -update rewrites it)", path)
			})
		}
	}
}

// lifelines returns the rune columns of the ladder's two lifelines in a
// table line, or nil if it has none.
func ladderLifelines(line string) []int {
	var cols []int
	for i, c := range []rune(line) {
		if c == '│' {
			cols = append(cols, i)
		}
	}
	return cols
}

func TestLadder(t *testing.T) {
	cases := map[string][]string{
		"no-rst-on-retransmitted-fin": {
			"✗ #6 ACK seq=2 ack=3 lost",     // the final ACK is lost
			"┈┈ time passes 0.00 → 1.00 ┈┈", // ticks folded
			"●◀── #7 FIN|ACK seq=2 ack=2 rtx",
			"#8 RST seq=2 orphan ──▶",
			"TIME-WAIT timer: 1 tick",
			"step 13 violates no-rst-on-retransmitted-fin",
		},
		"no-stale-segment-accepted": {
			"↯ overtook 1  #8 SYN seq=0 inc=2 ──▶●", // the new SYN overtakes the old ACK
			"after 0.50 ticks  #7 ACK seq=2 ack=3 inc=1 ──▶●",
			"SYN-RECEIVED inc=2",
			"step 14 violates no-stale-segment-accepted",
		},
	}
	for _, id := range renderIDs {
		t.Run(id, func(t *testing.T) {
			r := renderCE(t, id)
			out := renderOut(t, traces.WriteLadder, r)
			for _, want := range cases[id] {
				require.Contains(t, out, want)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			var cols []int
			var hit, tw, rtx int
			for _, l := range lines {
				c := ladderLifelines(l)
				if c == nil {
					continue
				}
				require.Len(t, c, 2, "two lifelines: %q", l)
				if cols == nil {
					cols = c
				}
				require.Equal(t, cols, c, "lifelines aligned: %q", l)
				rs := []rune(l)
				switch rs[cols[0]-1] {
				case '┃':
					tw++
				case '┆':
					rtx++
				}
				if strings.HasPrefix(l, "▶") {
					hit++
				}
			}
			require.Equal(t, 1, hit, "one row marks the violation")
			require.Positive(t, tw, "A's TIME-WAIT bar")
			require.Positive(t, rtx, "A's retransmission bar")
		})
	}
	t.Run("duplication and no violation", func(t *testing.T) {
		out := renderOut(t, traces.WriteLadder, renderFaulty(t))
		require.Contains(t, out, "⊕ #1 duplicated as #2")
		require.Contains(t, out, "✗ #3 ACK seq=1 ack=2 lost")
		require.Contains(t, out, "timeout B rtx0")
		require.Contains(t, out, "this run does not violate no-rst-on-retransmitted-fin")
		require.NotContains(t, out, "\n▶")
	})
}

// mermaidStatement is the subset of Mermaid's sequence-diagram grammar the
// renderer may use; message and note text must not hold ";" or a "#" that
// does not start an entity code.
var mermaidStatement = regexp.MustCompile(strings.ReplaceAll(
	`^(sequenceDiagram|    (title T|participant [ABN]( as T)?|(A|B|N)(->>|-x)(A|B|N): T|Note over (A|B|N|A,B): T|rect rgba\([0-9., ]+\)|end))$`,
	"T", `([^;#\n]|#[0-9]+;)+`))

func TestMermaid(t *testing.T) {
	for _, r := range []traces.Replayed{renderCE(t, renderIDs[0]), renderCE(t, renderIDs[1]), renderFaulty(t)} {
		out := renderOut(t, traces.WriteMermaid, r)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		require.Equal(t, "sequenceDiagram", lines[0])
		open := 0
		for _, l := range lines {
			require.Regexp(t, mermaidStatement, l)
			require.NotRegexp(t, `#[^0-9]|#[0-9]+[^0-9;]`, l, "every # starts an entity code: %q", l)
			if strings.HasPrefix(l, "    rect ") {
				open++
			}
			if l == "    end" {
				open--
			}
			require.GreaterOrEqual(t, open, 0)
		}
		require.Zero(t, open, "every rect is closed")
		flights := traces.Flights(r)
		sends := 0
		for _, l := range lines {
			if regexp.MustCompile(`^    [AB]->>N: `).MatchString(l) {
				sends++
			}
		}
		dups := 0
		for _, f := range flights {
			if f.DupOf > 0 {
				dups++
			}
		}
		require.Equal(t, len(flights)-dups, sends, "one message into the network per copy sent")
	}
	out := renderOut(t, traces.WriteMermaid, renderCE(t, renderIDs[0]))
	require.Contains(t, out, "N-xB: 8 · ✗ #35;6 ACK seq=2 ack=3 lost")
	require.Contains(t, out, "Note over A: 7 · → TIME-WAIT (1 tick)")
	require.Contains(t, out, "rect rgba(")
	out = renderOut(t, traces.WriteMermaid, renderCE(t, renderIDs[1]))
	require.Contains(t, out, "Note over N: ↯ #35;8 overtook 1 earlier copy")
	out = renderOut(t, traces.WriteMermaid, renderFaulty(t))
	require.Contains(t, out, "Note over N: 1 · ⊕ #35;1 duplicated as #35;2")
}

// svgElements parses an SVG document with encoding/xml and counts its
// elements by name (and line elements by class).
func svgElements(t *testing.T, doc string) (map[string]int, *xml.StartElement) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	counts := map[string]int{}
	var root *xml.StartElement
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "well-formed XML")
		if se, ok := tok.(xml.StartElement); ok {
			if root == nil {
				c := se.Copy()
				root = &c
			}
			counts[se.Name.Local]++
			for _, a := range se.Attr {
				if a.Name.Local == "class" {
					for _, c := range strings.Fields(a.Value) {
						counts[se.Name.Local+"."+c]++
					}
				}
			}
		}
	}
	return counts, root
}

func TestSVG(t *testing.T) {
	for _, r := range []traces.Replayed{renderCE(t, renderIDs[0]), renderCE(t, renderIDs[1]), renderFaulty(t)} {
		out := renderOut(t, traces.WriteSVG, r)
		counts, root := svgElements(t, out)
		require.NotNil(t, root)
		require.Equal(t, "svg", root.Name.Local)
		require.Equal(t, "http://www.w3.org/2000/svg", root.Name.Space)
		attrs := map[string]string{}
		for _, a := range root.Attr {
			attrs[a.Name.Local] = a.Value
		}
		require.Regexp(t, `^0 0 \d+ \d+$`, attrs["viewBox"])
		require.NotEmpty(t, attrs["width"])
		require.NotEmpty(t, attrs["height"])
		flights := traces.Flights(r)
		require.Equal(t, len(flights), counts["line"], "one line element per copy")
		lost, dup, re := 0, 0, 0
		for _, f := range flights {
			if f.Fate == traces.Lost {
				lost++
			}
			if f.DupOf > 0 {
				dup++
			}
			if f.Reordered {
				re++
			}
		}
		require.Equal(t, lost, counts["line.lost"])
		require.Equal(t, dup, counts["line.dup"])
		require.Equal(t, re, counts["line.reordered"])
		hit := 0
		if strings.Contains(out, "violates") && r.Trace.Property != "" && traces.Evaluate(r, renderProperty(t, r.Trace.Property)) >= 0 {
			hit = 1
		}
		require.Equal(t, hit, counts["rect.hit"], "the violating step is highlighted")
		require.Positive(t, counts["rect.rtx-bar"], "retransmission timer bars")
	}
	out := renderOut(t, traces.WriteSVG, renderCE(t, renderIDs[0]))
	counts, _ := svgElements(t, out)
	require.Equal(t, 1, counts["rect.tw-bar"], "one TIME-WAIT bar")
	require.Contains(t, out, ">TIME-WAIT</text>")
}

func renderProperty(t *testing.T, id string) properties.Property {
	t.Helper()
	p, ok := properties.ByID(id)
	require.True(t, ok)
	return p
}

// reportData extracts and decodes the JSON a report embeds.
func reportData(t *testing.T, page string) map[string]any {
	t.Helper()
	const open = `<script type="application/json" id="tw-data">`
	i := strings.Index(page, open)
	require.GreaterOrEqual(t, i, 0)
	j := strings.Index(page[i:], "</script>")
	require.Positive(t, j)
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(page[i+len(open):i+j]), &d))
	return d
}

func TestHTML(t *testing.T) {
	for _, r := range []traces.Replayed{renderCE(t, renderIDs[0]), renderCE(t, renderIDs[1]), renderFaulty(t)} {
		page := renderOut(t, traces.WriteHTML, r)
		require.True(t, strings.HasPrefix(page, "<!DOCTYPE html>\n"))
		// Self-contained: nothing is loaded from anywhere.
		require.NotRegexp(t, `(?i)\s(src|href)\s*=`, page)
		require.NotRegexp(t, `(?i)@import|url\(\s*["']?(https?:|//)`, page)
		require.Equal(t, 1, strings.Count(page, "http"), "the only URL is the SVG namespace")
		require.Contains(t, page, `xmlns="http://www.w3.org/2000/svg"`)
		require.Equal(t, strings.Count(page, "<script"), strings.Count(page, "</script>"))
		require.Contains(t, page, `<input type="range" id="step"`)
		require.Contains(t, page, `<pre id="selftest-result"></pre>`)
		require.Contains(t, page, `location.hash === "#selftest"`)
		for _, kv := range []string{"msl", "tw", "rto", "backoff", "retries", "loss", "dup", "incarnations", "grid", "lifetime", "same_instant", "close_order", "tw_restart", "tw_rst", "rtx", "data_unacked", "mutant"} {
			require.Contains(t, page, "<tr><th>"+kv+"</th>", "configuration field %s", kv)
		}
		p := renderProperty(t, r.Trace.Property)
		require.Contains(t, page, p.Title)
		require.Contains(t, page, p.Ref)
		d := reportData(t, page)
		steps := d["steps"].([]any)
		require.Len(t, steps, len(r.Steps)+1)
		for i, s := range steps {
			st := s.(map[string]any)
			require.Equal(t, r.State(i).String(), st["model"], "step %d", i)
			require.Len(t, st["a"], len(d["fields"].([]any)))
			require.Len(t, st["b"], len(d["fields"].([]any)))
			require.Len(t, st["net"], r.State(i).Net.Len(), "step %d: every copy in flight is listed", i)
		}
		require.EqualValues(t, len(traces.Flights(r)), d["flights"])
		require.EqualValues(t, traces.Evaluate(r, p), d["hit"])
		if r.Trace.Faults != nil {
			require.Contains(t, page, r.Trace.Faults.Summary)
		}
	}
	page := renderOut(t, traces.WriteHTML, renderCE(t, renderIDs[0]))
	require.Contains(t, page, "needs 1 lost ACK; no duplication; no reordering")
	require.Contains(t, page, "step 13 violates no-rst-on-retransmitted-fin")
}

// TestHTMLEscapes checks that text from a trace cannot break out of the
// page's markup or its JSON block.
func TestHTMLEscapes(t *testing.T) {
	r := renderCE(t, renderIDs[0])
	r.Trace.Property = `</script><script>alert(1)</script>`
	fs := *r.Trace.Faults
	fs.Summary = `<b>"&'</b>; </script>`
	r.Trace.Faults = &fs
	for _, rd := range renderWriters[1:] { // the ladder is plain text
		out := renderOut(t, rd.write, r)
		require.NotContains(t, out, "<script>alert", rd.ext)
		require.NotContains(t, out, "<b>\"", rd.ext)
	}
	page := renderOut(t, traces.WriteHTML, r)
	require.Equal(t, 3, strings.Count(page, "</script>"), "only the page's own three scripts end")
	_, _ = svgElements(t, renderOut(t, traces.WriteSVG, r))
	mmd := renderOut(t, traces.WriteMermaid, r)
	for _, l := range strings.Split(strings.TrimSuffix(mmd, "\n"), "\n") {
		require.Regexp(t, mermaidStatement, l)
	}
}

// TestRenderEmptyRun renders a run of no steps: the initial state alone.
func TestRenderEmptyRun(t *testing.T) {
	r, err := traces.Replay(traces.Trace{Version: traces.Version, Property: "no-stale-reset", Config: model.DefaultConfig().Resolved()})
	require.NoError(t, err)
	for _, rd := range renderWriters {
		out := renderOut(t, rd.write, r)
		require.Contains(t, out, "ESTABLISHED", rd.ext)
	}
	counts, _ := svgElements(t, renderOut(t, traces.WriteSVG, r))
	require.Equal(t, 1, counts["line"], "the data octet in flight at the start")
	require.Contains(t, renderOut(t, traces.WriteLadder, r), "this run does not violate no-stale-reset")
}

// cutShort returns r without its last step, as a trace file edited by hand
// or replayed by a changed model would be: it replays, but its last step,
// the one that violated the property (or reached the witness), is gone.
func cutShort(t testing.TB, r traces.Replayed) traces.Replayed {
	t.Helper()
	tr := r.Trace
	n := len(tr.Actions) - 1
	require.GreaterOrEqual(t, n, 0)
	tr.Actions = tr.Actions[:n:n]
	if len(tr.States) > n {
		tr.States = tr.States[:n:n]
	}
	if len(tr.Labels) > n {
		tr.Labels = tr.Labels[:n:n]
	}
	tr.Faults = nil // the faults recorded are those of the whole run
	short, err := traces.Replay(tr)
	require.NoError(t, err)
	return short
}

// TestRenderNoLongerViolates renders runs cut one step short of their
// violation (or witness): every rendering must warn, in words, that the
// run no longer shows what it was recorded for, and mark no step.
func TestRenderNoLongerViolates(t *testing.T) {
	type run struct {
		name, verb string
		r          traces.Replayed
	}
	var runs []run
	for _, id := range renderIDs {
		runs = append(runs, run{id, "violates", renderCE(t, id)})
	}
	runs = append(runs, run{"retransmitted-fin-in-time-wait", "reaches", renderCE(t, "retransmitted-fin-in-time-wait")})
	for _, c := range runs {
		t.Run(c.name, func(t *testing.T) {
			id := c.r.Trace.Property
			p := renderProperty(t, id)
			require.Equal(t, len(c.r.Steps), traces.Evaluate(c.r, p), "the full run shows its property at its last step")
			for _, rd := range renderWriters {
				require.NotContains(t, renderOut(t, rd.write, c.r), "no longer", "%s of the full run warns", rd.ext)
			}
			short := cutShort(t, c.r)
			require.Equal(t, -1, traces.Evaluate(short, p), "cut one step short, the run no longer shows %s", id)
			warning := "this run no longer " + c.verb + " " + id + ": the model or the file changed"
			for _, rd := range renderWriters {
				out := renderOut(t, rd.write, short)
				require.Contains(t, out, warning, rd.ext)
				require.NotContains(t, out, "▶ "+strings.ToUpper(c.verb[:1]), "%s marks no step", rd.ext)
			}
			ladder := renderOut(t, traces.WriteLadder, short)
			require.Equal(t, "⚠ WARNING: "+warning, strings.Split(ladder, "\n")[1], "the ladder's second line is the warning")
			require.NotContains(t, ladder, "\n▶")
			mmd := renderOut(t, traces.WriteMermaid, short)
			require.Contains(t, mmd, "\n    Note over A,B: ⚠ WARNING: "+warning+"\n")
			require.NotContains(t, mmd, "rect rgba(", "no step highlighted")
			for _, l := range strings.Split(strings.TrimSuffix(mmd, "\n"), "\n") {
				require.Regexp(t, mermaidStatement, l)
			}
			svg := renderOut(t, traces.WriteSVG, short)
			counts, _ := svgElements(t, svg)
			require.Equal(t, 1, counts["text.warning"], "one warning line")
			require.Zero(t, counts["rect.hit"])
			require.Contains(t, svg, `<text class="warning" x="16" y="`)
			page := renderOut(t, traces.WriteHTML, short)
			require.Contains(t, page, `<p class="warning" id="stale-warning" role="alert">⚠ WARNING: `+warning+"</p>")
			require.NotContains(t, page, `id="goto-hit"`)
			require.EqualValues(t, -1, reportData(t, page)["hit"])
		})
	}
}

// longDecimals is a number with five or more digits after the point, such
// as 0.3333333333333333: a float printed raw.
var longDecimals = regexp.MustCompile(`[0-9]\.[0-9]{5,}`)

// TestRenderDurationsRounded renders the golden inputs, and runs on a grid
// of 3 sub-ticks per tick (where a copy can be in flight a third of a tick),
// and checks that no rendering prints a raw float: times and durations have
// two decimals, as the time column does, and whole ticks none.
func TestRenderDurationsRounded(t *testing.T) {
	third := model.DefaultConfig()
	third.TW, third.Grid = 1, 3
	runs := map[string]traces.Replayed{"faulty": renderFaulty(t)}
	for _, id := range renderIDs {
		runs[id] = renderCE(t, id)
		runs[id+"/grid-3"] = renderCEAt(t, id, third)
	}
	fractions, thirds := 0, 0
	for name, r := range runs {
		for _, rd := range renderWriters {
			out := renderOut(t, rd.write, r)
			require.NotRegexp(t, longDecimals, out, "%s.%s prints a raw float", name, rd.ext)
			require.NotRegexp(t, `[0-9]\.[0-9]{3,} ticks?\b`, out, "%s.%s", name, rd.ext)
			require.NotRegexp(t, `\b1\.00 ticks\b|\b1 ticks\b`, out, "%s.%s: one tick is \"1 tick\"", name, rd.ext)
		}
		ladder := renderOut(t, traces.WriteLadder, r)
		fractions += len(regexp.MustCompile(`after [0-9]+\.[0-9]{2} ticks`).FindAllString(ladder, -1))
		thirds += len(regexp.MustCompile(`after [0-9]+\.(33|67) ticks`).FindAllString(ladder, -1))
	}
	require.Positive(t, fractions, "some copy is in flight for a fraction of a tick")
	require.Positive(t, thirds, "on the grid of 3, some copy is in flight for a third of a tick")
	for _, id := range renderIDs {
		require.Contains(t, renderOut(t, traces.WriteLadder, renderCE(t, id)), "TIME-WAIT timer: 1 tick", "whole ticks stay whole")
	}
}
