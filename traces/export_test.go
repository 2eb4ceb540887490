package traces_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// The goldens of the exports live in testdata/export; refresh them with
//
//	go test ./traces -run 'ITF|Pcap|Packetdrill|DOT' -update
//
// (the -update flag is declared in golden_test.go).

// exportIDs are the properties whose counterexamples the exports are tested
// on: both TIME-WAIT safety properties, violated at MSL 1, TW 1.
var exportIDs = []string{"no-rst-on-retransmitted-fin", "no-stale-segment-accepted"}

// exportTW1 is the default configuration at TW = 2·MSL−1, where both
// properties are violated.
func exportTW1() model.Config {
	cfg := model.DefaultConfig()
	cfg.TW = 1
	return cfg
}

// exportSmall is a configuration small enough to draw whole (a few
// thousand states) in which no-rst-on-retransmitted-fin is still violated.
func exportSmall() model.Config {
	cfg := exportTW1()
	cfg.Loss, cfg.Dup, cfg.Incarnations = 1, 0, 1
	return cfg
}

var exportRuns sync.Map

// exportRun returns the shortest counterexample of id in cfg, replayed.
func exportRun(t testing.TB, id string, cfg model.Config) traces.Replayed {
	t.Helper()
	key := fmt.Sprintf("%s %+v", id, cfg)
	if r, ok := exportRuns.Load(key); ok {
		return r.(traces.Replayed)
	}
	p, ok := properties.ByID(id)
	require.True(t, ok, id)
	rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{StopEarly: true})
	require.NoError(t, err)
	o, _ := rep.Outcome(p.ID)
	require.NotNil(t, o.Path, "%s is not violated in %+v", id, cfg)
	_, r, err := traces.FromPath(rep.Config, p, traces.SearchShortest, o.Path)
	require.NoError(t, err)
	exportRuns.Store(key, r)
	return r
}

// exportGolden compares got with testdata/export/name, or rewrites it
// under -update.
func exportGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "export", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
		require.NoError(t, os.WriteFile(file, got, 0o644))
		return
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "refresh with: go test ./traces -run 'ITF|Pcap|Packetdrill|DOT' -update")
	if !bytes.Equal(want, got) {
		if utf8Text(want) && utf8Text(got) {
			require.Equal(t, string(want), string(got), "%s changed; if intended, refresh with -update", file)
		}
		t.Fatalf("%s changed (%d bytes, now %d); if intended, refresh with -update", file, len(want), len(got))
	}
}

func utf8Text(b []byte) bool { return !bytes.ContainsRune(b, 0) }

// write runs one writer into a buffer.
func write(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, f(&b))
	again := new(bytes.Buffer)
	require.NoError(t, f(again))
	require.Equal(t, b.Bytes(), again.Bytes(), "the output is deterministic")
	return b.Bytes()
}

// ---------------------------------------------------------------- ITF

type itfBigint struct {
	V string `json:"#bigint"`
}

func (b itfBigint) n(t *testing.T) int {
	n, err := strconv.Atoi(b.V)
	require.NoError(t, err)
	return n
}

type itfTimer struct {
	On    bool      `json:"on"`
	Due   itfBigint `json:"due"`
	Tries itfBigint `json:"tries"`
}

type itfEndpoint struct {
	State     string    `json:"state"`
	Inc       itfBigint `json:"inc"`
	ISS       itfBigint `json:"iss"`
	SndUna    itfBigint `json:"snd_una"`
	SndNxt    itfBigint `json:"snd_nxt"`
	RcvNxt    itfBigint `json:"rcv_nxt"`
	IRS       itfBigint `json:"irs"`
	Data      bool      `json:"data"`
	AppClosed bool      `json:"app_closed"`
	Rtx0      itfTimer  `json:"rtx0"`
	Rtx1      itfTimer  `json:"rtx1"`
	TW        itfTimer  `json:"tw"`
}

type itfCopy struct {
	Src   string `json:"src"`
	Dst   string `json:"dst"`
	Flags struct {
		Set []string `json:"#set"`
	} `json:"flags"`
	Seq    itfBigint `json:"seq"`
	Ack    itfBigint `json:"ack"`
	Len    itfBigint `json:"len"`
	Age    itfBigint `json:"age"`
	Inc    itfBigint `json:"inc"`
	Orphan bool      `json:"orphan"`
	Rtx    bool      `json:"rtx"`
}

type itfDoc struct {
	Meta struct {
		Format   string `json:"format"`
		Property struct {
			ID string `json:"id"`
		} `json:"property"`
		Kind    string          `json:"kind"`
		Search  string          `json:"search"`
		Variant string          `json:"variant"`
		Config  json.RawMessage `json:"config"`
	} `json:"#meta"`
	Vars   []string                     `json:"vars"`
	States []map[string]json.RawMessage `json:"states"`
}

// strictJSON decodes raw into v, refusing fields v does not have.
func strictJSON(t *testing.T, raw []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), string(raw))
}

func (e itfEndpoint) model(t *testing.T) model.Endpoint {
	timer := func(x itfTimer) model.Timer {
		return model.Timer{On: x.On, Due: uint8(x.Due.n(t)), Tries: uint8(x.Tries.n(t))}
	}
	var st model.ConnState
	found := false
	for _, c := range model.AllConnStates() {
		if c.String() == e.State {
			st, found = c, true
		}
	}
	require.True(t, found, e.State)
	return model.Endpoint{
		St: st, Inc: uint8(e.Inc.n(t)), ISS: model.Seq(e.ISS.n(t)), SndUna: model.Seq(e.SndUna.n(t)),
		SndNxt: model.Seq(e.SndNxt.n(t)), RcvNxt: model.Seq(e.RcvNxt.n(t)), IRS: model.Seq(e.IRS.n(t)),
		Data: e.Data, AppClosed: e.AppClosed,
		Rtx: [2]model.Timer{timer(e.Rtx0), timer(e.Rtx1)}, TW: timer(e.TW),
	}
}

func (c itfCopy) model(t *testing.T) model.Segment {
	src, err := model.ParseSide(c.Src)
	require.NoError(t, err)
	require.Equal(t, src.Peer().String(), c.Dst)
	var f model.Flags
	for _, name := range c.Flags.Set {
		f |= map[string]model.Flags{"SYN": model.SYN, "FIN": model.FIN, "RST": model.RST, "ACK": model.ACK}[name]
	}
	return model.Segment{
		Src: src, Flags: f, Len: uint8(c.Len.n(t)), Seq: model.Seq(c.Seq.n(t)), Ack: model.Seq(c.Ack.n(t)),
		Age: uint8(c.Age.n(t)), Inc: uint8(c.Inc.n(t)), Orphan: c.Orphan, Rtx: c.Rtx,
	}
}

// TestITF writes both counterexamples as ITF, checks them against the
// golden files and ValidateITF, decodes every state back and compares it
// with the model's, and round-trips the run: the actions read back from the
// ITF file, replayed through the model with the configuration read back
// from its #meta, give the same run.
func TestITF(t *testing.T) {
	for _, id := range exportIDs {
		t.Run(id, func(t *testing.T) {
			r := exportRun(t, id, exportTW1())
			data := write(t, func(b *bytes.Buffer) error { return traces.WriteITF(b, r) })
			exportGolden(t, id+".itf.json", data)
			require.NoError(t, traces.ValidateITF(data))

			var doc itfDoc
			require.NoError(t, json.Unmarshal(data, &doc))
			require.Equal(t, "ITF", doc.Meta.Format)
			require.Equal(t, id, doc.Meta.Property.ID)
			require.Equal(t, traces.ITFVars(), doc.Vars)
			require.Len(t, doc.States, len(r.Steps)+1)
			times := traces.Times(r)
			var actions []string
			for i, st := range doc.States {
				s := r.State(i)
				require.JSONEq(t, fmt.Sprintf(`{"index": %d}`, i), string(metaWithoutMarks(t, st["#meta"])))
				for _, side := range []model.Side{model.A, model.B} {
					var e itfEndpoint
					strictJSON(t, st[side.String()], &e)
					require.Equal(t, s.Ends[side], e.model(t), "state %d, %s", i, side)
				}
				var net []itfCopy
				strictJSON(t, st["net"], &net)
				got := []model.Segment{}
				for _, c := range net {
					got = append(got, c.model(t))
				}
				require.Equal(t, append([]model.Segment{}, s.Net.Copies()...), got, "state %d network", i)
				var n itfBigint
				strictJSON(t, st["loss_left"], &n)
				require.Equal(t, int(s.LossLeft), n.n(t))
				strictJSON(t, st["dup_left"], &n)
				require.Equal(t, int(s.DupLeft), n.n(t))
				strictJSON(t, st["time"], &n)
				require.Equal(t, times[i], n.n(t))
				var tw struct {
					A, B struct {
						Set []itfBigint `json:"#set"`
					}
				}
				strictJSON(t, st["tw_entered"], &tw)
				for side, set := range [][]itfBigint{tw.A.Set, tw.B.Set} {
					for inc := uint8(0); inc < 8; inc++ {
						in := false
						for _, x := range set {
							in = in || x.n(t) == int(inc)
						}
						require.Equal(t, s.EnteredTimeWait(model.Side(side), inc), in)
					}
				}
				var action, label string
				require.NoError(t, json.Unmarshal(st["action"], &action))
				require.NoError(t, json.Unmarshal(st["label"], &label))
				if i == 0 {
					require.Equal(t, "init", action)
					continue
				}
				require.Equal(t, r.Steps[i-1].Label.String(), label)
				actions = append(actions, action)
			}

			cfg := model.DefaultConfig()
			require.NoError(t, json.Unmarshal(doc.Meta.Config, &cfg))
			back, err := traces.Replay(traces.Trace{
				Format: traces.Format, Version: traces.Version, Variant: doc.Meta.Variant,
				Property: doc.Meta.Property.ID, Kind: doc.Meta.Kind, Search: doc.Meta.Search,
				Config: cfg, Actions: actions,
			})
			require.NoError(t, err)
			require.Equal(t, r.Config, back.Config)
			require.Equal(t, r.Init, back.Init)
			require.Equal(t, r.Steps, back.Steps)
		})
	}
}

// metaWithoutMarks returns a state's #meta without the violation or
// witness mark, and checks the mark is on the right state.
func metaWithoutMarks(t *testing.T, raw json.RawMessage) []byte {
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	delete(m, "violation")
	delete(m, "witness")
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

// TestITFMarksViolation checks that exactly the violating state carries the
// mark, and that the trace's #meta names its index.
func TestITFMarksViolation(t *testing.T) {
	for _, id := range exportIDs {
		r := exportRun(t, id, exportTW1())
		p, _ := properties.ByID(id)
		at := traces.Evaluate(r, p)
		require.Positive(t, at)
		var doc struct {
			Meta   map[string]any   `json:"#meta"`
			States []map[string]any `json:"states"`
		}
		require.NoError(t, json.Unmarshal(write(t, func(b *bytes.Buffer) error { return traces.WriteITF(b, r) }), &doc))
		require.Equal(t, float64(at), doc.Meta["violation-index"])
		require.Equal(t, "violation", doc.Meta["status"])
		require.NotContains(t, doc.Meta, "warning")
		for i, st := range doc.States {
			_, marked := st["#meta"].(map[string]any)["violation"]
			require.Equal(t, i == at, marked, "state %d", i)
		}
	}
}

// TestITFNoLongerViolates writes runs cut one step short of their
// violation (or witness): the trace's #meta must say, from the replay, that
// the property is no longer violated (or the witness no longer reached),
// name no index, and mark no state.
func TestITFNoLongerViolates(t *testing.T) {
	for _, c := range []struct{ id, status, verb string }{
		{"no-rst-on-retransmitted-fin", "no-violation", "violates"},
		{"no-stale-segment-accepted", "no-violation", "violates"},
		{"retransmitted-fin-in-time-wait", "no-witness", "reaches"},
	} {
		t.Run(c.id, func(t *testing.T) {
			full := exportRun(t, c.id, exportTW1())
			short := cutShort(t, full)
			p, _ := properties.ByID(c.id)
			require.Equal(t, -1, traces.Evaluate(short, p))
			data := write(t, func(b *bytes.Buffer) error { return traces.WriteITF(b, short) })
			require.NoError(t, traces.ValidateITF(data))
			var doc struct {
				Meta   map[string]any   `json:"#meta"`
				States []map[string]any `json:"states"`
			}
			require.NoError(t, json.Unmarshal(data, &doc))
			require.Equal(t, c.status, doc.Meta["status"])
			require.Equal(t, "this run no longer "+c.verb+" "+c.id+": the model or the file changed", doc.Meta["warning"])
			for _, k := range []string{"violation-index", "witness-index"} {
				require.NotContains(t, doc.Meta, k)
			}
			require.Len(t, doc.States, len(short.Steps)+1)
			for i, st := range doc.States {
				m := st["#meta"].(map[string]any)
				require.NotContains(t, m, "violation", "state %d", i)
				require.NotContains(t, m, "witness", "state %d", i)
			}

			// The full run still says what it shows.
			require.NoError(t, json.Unmarshal(write(t, func(b *bytes.Buffer) error { return traces.WriteITF(b, full) }), &doc))
			want := strings.TrimPrefix(c.status, "no-")
			require.Equal(t, want, doc.Meta["status"])
			require.Equal(t, float64(len(full.Steps)), doc.Meta[want+"-index"])
		})
	}
}

// TestITFUnknownProperty checks that a run naming a property this version
// does not know is not written as a violation.
func TestITFUnknownProperty(t *testing.T) {
	r := exportRun(t, exportIDs[0], exportTW1())
	r.Trace.Property = "no-such-property"
	data := write(t, func(b *bytes.Buffer) error { return traces.WriteITF(b, r) })
	require.NoError(t, traces.ValidateITF(data))
	var doc struct {
		Meta map[string]any `json:"#meta"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Equal(t, "unknown-property", doc.Meta["status"])
	require.Equal(t, `property "no-such-property" is unknown to this version: nothing was checked`, doc.Meta["warning"])
	require.NotContains(t, string(data), `"violation`)
}

// TestITFVarsIsACopy checks that a caller changing the variable names it
// was given changes neither later calls nor what WriteITF writes.
func TestITFVarsIsACopy(t *testing.T) {
	vars := traces.ITFVars()
	want := append([]string(nil), vars...)
	vars[0] = "changed"
	require.Equal(t, want, traces.ITFVars())
	r := exportRun(t, exportIDs[0], exportTW1())
	var doc itfDoc
	require.NoError(t, json.Unmarshal(write(t, func(b *bytes.Buffer) error { return traces.WriteITF(b, r) }), &doc))
	require.Equal(t, want, doc.Vars)
}

// itfDocument wraps states (JSON text) in a valid trace with vars x and y
// and parameter p.
func itfDocument(states string) string {
	return `{"#meta": {"format": "ITF", "n": 1}, "params": ["p"], "vars": ["x", "y"], "states": [` + states + `]}`
}

const itfGoodState0 = `{"#meta": {"index": 0, "any": [1, 2.5, null]}, "p": "k", "x": {"#bigint": "-12"}, ` +
	`"y": {"r": [true, "s", {"#set": [{"#tup": [{"#bigint": "1"}, "a"]}]}], ` +
	`"m": {"#map": [[{"#bigint": "2"}, {"#unserializable": "Nat"}]]}, "tag": "Some", "value": {"#tup": []}}}`

const itfGoodState1 = `{"#meta": {"index": 1}, "x": {"#bigint": "123456789012345678901234567890"}, "y": []}`

func TestValidateITFAccepts(t *testing.T) {
	for name, doc := range map[string]string{
		"values of every form":     itfDocument(itfGoodState0 + ", " + itfGoodState1),
		"no #meta anywhere":        `{"vars": ["x"], "states": [{"x": "a"}, {"x": {"#bigint": "0"}}]}`,
		"loop as a plain int":      `{"vars": ["x"], "states": [{"x": "a"}, {"x": "b"}], "loop": 1}`,
		"loop as a bigint":         `{"vars": ["x"], "states": [{"x": "a"}], "loop": {"#bigint": "0"}}`,
		"no variables":             `{"vars": [], "states": [{}]}`,
		"numbers inside the #meta": `{"#meta": {"a": {"b": [1, -2, 3e5]}}, "vars": ["x"], "states": [{"#meta": {"c": 4}, "x": true}]}`,
	} {
		require.NoError(t, traces.ValidateITF([]byte(doc)), name)
	}
}

func TestValidateITFRejects(t *testing.T) {
	good0, good1 := itfGoodState0, itfGoodState1
	for _, c := range []struct {
		name, doc, want string
	}{
		{"not JSON", `{"vars": [`, "not JSON"},
		{"not an object", `[1, 2]`, "not a JSON object"},
		{"trailing data", itfDocument(good0) + ` {}`, "after the trace object"},
		{"unknown trace field", `{"vars": [], "states": [{}], "extra": 1}`, "unknown trace field"},
		{"#meta not an object", `{"#meta": [], "vars": [], "states": [{}]}`, "#meta: not an object"},
		{"vars missing", `{"states": [{}]}`, "vars: missing"},
		{"vars not an array", `{"vars": "x", "states": [{}]}`, "not an array of strings"},
		{"a var is not a string", `{"vars": [1], "states": [{}]}`, "vars[0]: not a string"},
		{"a var starts with #", `{"vars": ["#x"], "states": [{}]}`, "not a variable name"},
		{"a var twice", `{"vars": ["x", "x"], "states": [{"x": "a"}]}`, "declared twice"},
		{"a param is also a var", `{"params": ["x"], "vars": ["x"], "states": [{"x": "a"}]}`, "declared twice"},
		{"states missing", `{"vars": []}`, "states: missing"},
		{"states not an array", `{"vars": [], "states": {}}`, "states: not an array"},
		{"no states", `{"vars": [], "states": []}`, "empty"},
		{"a state is not an object", `{"vars": [], "states": [[]]}`, "states[0]: not an object"},
		{"a state lacks a var", itfDocument(good0 + `, {"x": {"#bigint": "1"}}`), `states[1]: no value for "y"`},
		{"the first state lacks a param", itfDocument(strings.Replace(good0, `"p": "k", `, "", 1)), `no value for "p"`},
		{"an undeclared variable", itfDocument(good0 + `, {"x": "a", "y": "b", "z": "c"}`), "states[1].z: not a declared variable"},
		{"a bare number", itfDocument(good0 + `, {"x": 3, "y": "b"}`), "states[1].x: bare JSON number 3"},
		{"a bare number deep inside", itfDocument(good0 + `, {"x": "a", "y": {"r": [{"#set": [1]}]}}`), "states[1].y.r[0].#set[0]: bare JSON number"},
		{"a bare number in a map key", itfDocument(good0 + `, {"x": "a", "y": {"#map": [[1, "v"]]}}`), "bare JSON number"},
		{"null", itfDocument(good0 + `, {"x": null, "y": "b"}`), "null is not an ITF value"},
		{"#bigint not a string", itfDocument(good0 + `, {"x": {"#bigint": 5}, "y": "b"}`), "not a string of decimal digits"},
		{"#bigint not decimal", itfDocument(good0 + `, {"x": {"#bigint": "1.5"}, "y": "b"}`), "not a string of decimal digits"},
		{"#bigint empty", itfDocument(good0 + `, {"x": {"#bigint": ""}, "y": "b"}`), "not a string of decimal digits"},
		{"#bigint with another field", itfDocument(good0 + `, {"x": {"#bigint": "1", "y": 2}, "y": "b"}`), "record field names must not start with '#'"},
		{"unknown # form", itfDocument(good0 + `, {"x": {"#bag": []}, "y": "b"}`), `unknown form "#bag"`},
		{"#set not an array", itfDocument(good0 + `, {"x": {"#set": "a"}, "y": "b"}`), "#set is not an array"},
		{"#tup not an array", itfDocument(good0 + `, {"x": {"#tup": {}}, "y": "b"}`), "#tup is not an array"},
		{"#map entry not a pair", itfDocument(good0 + `, {"x": {"#map": [["k"]]}, "y": "b"}`), "not a [key, value] pair"},
		{"#unserializable not a string", itfDocument(good0 + `, {"x": {"#unserializable": {}}, "y": "b"}`), "#unserializable is not a string"},
		{"a state's #meta not an object", itfDocument(good0 + `, {"#meta": 1, "x": "a", "y": "b"}`), "states[1].#meta: not an object"},
		{"a state's index is not its position", itfDocument(good0 + `, {"#meta": {"index": 7}, "x": "a", "y": "b"}`), "not the state's position 1"},
		{"loop out of range", `{"vars": [], "states": [{}], "loop": 1}`, "not the index of a state"},
		{"loop not an integer", `{"vars": [], "states": [{}], "loop": "0"}`, "loop: not an integer"},
		{"good states, then a bad one", itfDocument(good0 + ", " + good1 + `, {"x": {"#bigint": "x"}, "y": "b"}`), "states[2].x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := traces.ValidateITF([]byte(c.doc))
			require.ErrorContains(t, err, c.want)
			var ie *traces.ITFError
			require.ErrorAs(t, err, &ie)
		})
	}
}

// TestITFRejectsEditedExport breaks a real export in ways a hand edit or a
// careless tool would, and checks ValidateITF notices.
func TestITFRejectsEditedExport(t *testing.T) {
	r := exportRun(t, exportIDs[0], exportTW1())
	data := string(write(t, func(b *bytes.Buffer) error { return traces.WriteITF(b, r) }))
	for name, edit := range map[string]func(string) string{
		"an integer written bare": func(s string) string {
			return strings.Replace(s, `"loss_left": {"#bigint": "1"}`, `"loss_left": 1`, 1)
		},
		"a variable dropped from a state": func(s string) string {
			return strings.Replace(s, `"dup_left": {"#bigint": "1"},`, ``, 1)
		},
		"a variable renamed in vars": func(s string) string {
			return strings.Replace(s, `"vars": ["A", `, `"vars": ["Alice", `, 1)
		},
	} {
		edited := edit(data)
		require.NotEqual(t, data, edited, name)
		require.Error(t, traces.ValidateITF([]byte(edited)), name)
	}
}

// ---------------------------------------------------------------- pcap

type pcapRecord struct {
	sec, usec uint32
	data      []byte
}

// readPcap parses a classic little-endian libpcap file.
func readPcap(t *testing.T, b []byte) (linkType uint32, recs []pcapRecord) {
	t.Helper()
	le := binary.LittleEndian
	require.GreaterOrEqual(t, len(b), 24)
	require.Equal(t, uint32(0xa1b2c3d4), le.Uint32(b[0:]), "magic")
	require.Equal(t, uint16(2), le.Uint16(b[4:]), "major version")
	require.Equal(t, uint16(4), le.Uint16(b[6:]), "minor version")
	require.Equal(t, uint32(65535), le.Uint32(b[16:]), "snaplen")
	linkType = le.Uint32(b[20:])
	for off := 24; off < len(b); {
		require.LessOrEqual(t, off+16, len(b), "truncated record header")
		incl, orig := int(le.Uint32(b[off+8:])), int(le.Uint32(b[off+12:]))
		require.Equal(t, incl, orig, "captured whole")
		require.LessOrEqual(t, off+16+incl, len(b), "truncated packet")
		recs = append(recs, pcapRecord{le.Uint32(b[off:]), le.Uint32(b[off+4:]), b[off+16 : off+16+incl]})
		off += 16 + incl
	}
	return linkType, recs
}

// onesComplementSum folds data's big-endian 16-bit words (RFC 1071).
func onesComplementSum(data []byte) uint16 {
	var s uint32
	for i := 0; i < len(data); i += 2 {
		w := uint32(data[i]) << 8
		if i+1 < len(data) {
			w |= uint32(data[i+1])
		}
		s += w
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// pcapExpect is what the capture should hold: every delivery in step
// order, and the copies in flight at the end at their send time, merged by
// time.
func pcapExpect(r traces.Replayed) []traces.Flight {
	flights := traces.Flights(r)
	type item struct {
		f  traces.Flight
		at int
	}
	var items []item
	for step := 1; step <= len(r.Steps); step++ {
		for _, f := range flights {
			if f.Fate == traces.Delivered && f.End == step {
				items = append(items, item{f, f.EndAt})
			}
		}
	}
	for _, f := range flights {
		if f.Fate == traces.InFlight {
			items = append(items, item{f, max(f.SentAt, 0)})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at < items[j].at })
	out := make([]traces.Flight, len(items))
	for i, it := range items {
		out[i] = it.f
		out[i].EndAt = it.at // the capture time
	}
	return out
}

// TestPcap parses both captures back and checks every header: IPv4 and
// TCP checksums, addresses, ports, the sequence-number mapping, flags and
// payload against the model's copies, one packet per delivery plus one per
// copy in flight at the end, and timestamps (1 tick = 1 s, increasing).
func TestPcap(t *testing.T) {
	for _, id := range exportIDs {
		t.Run(id, func(t *testing.T) {
			r := exportRun(t, id, exportTW1())
			data := write(t, func(b *bytes.Buffer) error { return traces.WritePcap(b, r) })
			exportGolden(t, id+".pcap", data)

			link, recs := readPcap(t, data)
			require.Equal(t, uint32(101), link, "LINKTYPE_RAW")
			want := pcapExpect(r)
			deliveries := 0
			for _, st := range r.Steps {
				if st.Label.Action.Kind == model.ActDeliver {
					deliveries++
				}
			}
			require.Len(t, recs, deliveries+r.Steps[len(r.Steps)-1].State.Net.Len())
			require.Len(t, recs, len(want))

			be := binary.BigEndian
			lastUS, sameAt := int64(-1), 0
			for i, rec := range recs {
				f, p := want[i], rec.data
				g := f.Seg
				// IPv4, RFC 791.
				require.GreaterOrEqual(t, len(p), 40)
				require.Equal(t, byte(0x45), p[0], "version 4, IHL 5")
				require.Equal(t, len(p), int(be.Uint16(p[2:])), "total length")
				require.Equal(t, uint16(0x4000), be.Uint16(p[6:]), "DF, no fragment")
				require.Equal(t, byte(64), p[8], "TTL")
				require.Equal(t, byte(6), p[9], "protocol TCP")
				require.Equal(t, uint16(0xffff), onesComplementSum(p[:20]), "packet %d: IPv4 header checksum", i)
				src, dst := [4]byte(p[12:16]), [4]byte(p[16:20])
				require.Equal(t, [4]byte{192, 0, 2, 1 + byte(g.Src)}, src)
				require.Equal(t, [4]byte{192, 0, 2, 1 + byte(g.Src.Peer())}, dst)
				// TCP, RFC 9293 §3.1.
				tcp := p[20:]
				pseudo := append(append(append([]byte{}, src[:]...), dst[:]...), 0, 6, byte(len(tcp)>>8), byte(len(tcp)))
				require.Equal(t, uint16(0xffff), onesComplementSum(append(pseudo, tcp...)), "packet %d: TCP checksum", i)
				ports := map[model.Side]uint16{model.A: 40000, model.B: 80}
				require.Equal(t, ports[g.Src], be.Uint16(tcp[0:]))
				require.Equal(t, ports[g.Src.Peer()], be.Uint16(tcp[2:]))
				base := map[model.Side]uint32{model.A: 1_000_000, model.B: 2_000_000}
				require.Equal(t, base[g.Src]+uint32(g.Seq), be.Uint32(tcp[4:]), "packet %d: seq", i)
				wantAck := uint32(0)
				if g.Flags.Has(model.ACK) {
					wantAck = base[g.Src.Peer()] + uint32(g.Ack)
				}
				require.Equal(t, wantAck, be.Uint32(tcp[8:]), "packet %d: ack", i)
				require.Equal(t, byte(5<<4), tcp[12], "data offset 5")
				var flags byte
				for bit, m := range map[byte]model.Flags{0x01: model.FIN, 0x02: model.SYN, 0x04: model.RST, 0x10: model.ACK} {
					if g.Flags.Has(m) {
						flags |= bit
					}
				}
				require.Equal(t, flags, tcp[13], "packet %d: flags of %s", i, g)
				require.Equal(t, uint16(65535), be.Uint16(tcp[14:]), "window")
				require.Equal(t, uint16(0), be.Uint16(tcp[18:]), "urgent pointer")
				require.Len(t, tcp[20:], int(g.Len), "payload")
				// Time: 1 tick = 1 s; equal instants 1 µs apart.
				us := int64(rec.sec)*1_000_000 + int64(rec.usec)
				require.Less(t, rec.usec, uint32(1_000_000))
				base0 := int64(f.EndAt) * 1_000_000 / int64(r.Config.Grid)
				if i > 0 && want[i-1].EndAt == f.EndAt {
					sameAt++
				} else {
					sameAt = 0
				}
				require.Equal(t, base0+int64(sameAt), us, "packet %d: timestamp", i)
				require.Greater(t, us, lastUS, "timestamps increase")
				lastUS = us
			}
		})
	}
}

// TestPcapDuplicateKeepsIPID checks that a network duplicate is captured
// with its original's IP identification, on a run that duplicates a copy.
func TestPcapDuplicateKeepsIPID(t *testing.T) {
	r := exportRun(t, "no-stale-segment-accepted", exportTW1())
	// Extend the run by duplicating a copy in flight at its end, then
	// delivering the original and the duplicate.
	s := r.Steps[len(r.Steps)-1].State
	require.Positive(t, s.Net.Len())
	require.Positive(t, int(s.DupLeft))
	g := s.Net.At(0)
	tr := r.Trace
	tr.Actions = append(append([]string{}, tr.Actions...),
		model.Action{Kind: model.ActDuplicate, Seg: g}.String(),
		model.Action{Kind: model.ActDeliver, Seg: g}.String(),
		model.Action{Kind: model.ActDeliver, Seg: g}.String())
	tr.States, tr.Labels = nil, nil
	tr.Faults = nil // the recorded faults are the unextended run's
	r2, err := traces.Replay(tr)
	require.NoError(t, err)
	_, recs := readPcap(t, write(t, func(b *bytes.Buffer) error { return traces.WritePcap(b, r2) }))
	ids := map[uint16]int{}
	for _, rec := range recs {
		ids[binary.BigEndian.Uint16(rec.data[4:])]++
	}
	dups := 0
	for _, n := range ids {
		if n > 1 {
			dups++
		}
	}
	require.Equal(t, 1, dups, "exactly one IP identification is captured twice")
}

// TestPcapWithTcpdump reads both captures with tcpdump, when it is
// installed: every packet is parsed and no checksum is reported wrong.
func TestPcapWithTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	for _, id := range exportIDs {
		r := exportRun(t, id, exportTW1())
		file := filepath.Join(t.TempDir(), id+".pcap")
		require.NoError(t, os.WriteFile(file, write(t, func(b *bytes.Buffer) error { return traces.WritePcap(b, r) }), 0o644))
		out, err := exec.Command(tcpdump, "-nn", "-tt", "-vv", "-r", file).CombinedOutput()
		require.NoError(t, err, string(out))
		text := string(out)
		require.NotContains(t, text, "incorrect", text)
		require.NotContains(t, text, "bad cksum", text)
		_, recs := readPcap(t, write(t, func(b *bytes.Buffer) error { return traces.WritePcap(b, r) }))
		require.Equal(t, len(recs), strings.Count(text, "proto TCP (6)"), text)
		require.Equal(t, len(recs), strings.Count(text, "192.0.2."+"1.40000 > 192.0.2.2.80")+strings.Count(text, "192.0.2.2.80 > 192.0.2.1.40000"), text)
		t.Logf("tcpdump -nn -tt -vv -r %s.pcap:\n%s", id, text)
	}
}

// ---------------------------------------------------------------- packetdrill

var pdTimed = regexp.MustCompile(`^\s*(0|\+[0-9]+(?:\.[0-9]+)?) (.*)$`)

// TestPacketdrill checks the scripts of both counterexamples, with each
// side as the kernel, against the golden files, and their structure: every
// line is a comment, blank or timed; after the setup there is one "<" line
// per delivery of a peer copy to the kernel and one ">" line per copy the
// kernel sends; the relative times add up to the model time of the last
// timed line.
func TestPacketdrill(t *testing.T) {
	for _, id := range exportIDs {
		for _, kernel := range []model.Side{model.A, model.B} {
			t.Run(fmt.Sprintf("%s/kernel-%s", id, kernel), func(t *testing.T) {
				r := exportRun(t, id, exportTW1())
				data := write(t, func(b *bytes.Buffer) error { return traces.WritePacketdrill(b, r, kernel) })
				exportGolden(t, fmt.Sprintf("%s.kernel-%s.pkt", id, kernel), data)

				peer := kernel.Peer()
				wantIn, wantOut := 0, 0
				lastTimed := 0
				times := traces.Times(r)
				for i, st := range r.Steps {
					l := st.Label
					if l.Action.Kind == model.ActDeliver && l.Action.Seg.Src == peer {
						wantIn++
						lastTimed = times[i]
					}
					for _, g := range l.Emitted() {
						if g.Src == kernel {
							wantOut++
							lastTimed = times[i]
						}
					}
				}
				text := string(data)
				start := strings.Index(text, "// The model's run starts here")
				require.Positive(t, start)
				in, out := 0, 0
				var total float64
				first, running := true, false
				for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
					if strings.HasPrefix(line, "// The model's run starts here") {
						running = true
					}
					if line == "" || strings.HasPrefix(line, "//") {
						continue
					}
					m := pdTimed.FindStringSubmatch(line)
					require.NotNil(t, m, "line %d is neither a comment nor timed: %q", n+1, line)
					if first {
						require.Equal(t, "0", m[1], "the first line is at absolute time 0")
						first = false
					} else {
						require.True(t, strings.HasPrefix(m[1], "+"), "line %d: relative time", n+1)
						d, err := strconv.ParseFloat(m[1][1:], 64)
						require.NoError(t, err)
						total += d
					}
					if running {
						switch {
						case strings.HasPrefix(m[2], "< "):
							in++
						case strings.HasPrefix(m[2], "> "):
							out++
						}
					}
				}
				require.Equal(t, wantIn, in, "inbound lines")
				require.Equal(t, wantOut, out, "outbound lines")
				require.InDelta(t, float64(lastTimed)/float64(r.Config.Grid), total, 1e-9, "times add up")
			})
		}
	}
}

// TestPacketdrillStaleACK checks the point of the stale-segment script with
// B as the kernel: the old incarnation's ACK is injected with an
// acknowledgment number that is valid for the new connection (ack 1,
// relative to B's new ISS), and B accepts the connection.
func TestPacketdrillStaleACK(t *testing.T) {
	r := exportRun(t, "no-stale-segment-accepted", exportTW1())
	text := string(write(t, func(b *bytes.Buffer) error { return traces.WritePacketdrill(b, r, model.B) }))
	require.Regexp(t, `(?m)^\s+\+0 < \. 2:2\(0\) ack 1 win 65535 .*SYN-RECEIVED × ACK`, text)
	require.Regexp(t, `(?m)^\s+\+0 accept\(3, \.\.\., \.\.\.\) = 4$`, text)
	require.Contains(t, text, "// ^ no-stale-segment-accepted is violated at step")
}

func TestPacketdrillErrors(t *testing.T) {
	r := exportRun(t, exportIDs[0], exportTW1())
	require.Error(t, traces.WritePacketdrill(new(bytes.Buffer), r, model.Side(2)))
	bad := r
	bad.Init.Ends[model.A].St = model.Closed
	require.ErrorContains(t, traces.WritePacketdrill(new(bytes.Buffer), bad, model.A), "initial state")
}

// ---------------------------------------------------------------- DOT

var (
	dotNode = regexp.MustCompile(`(?m)^  s(\d+) \[(.*)\];$`)
	dotEdge = regexp.MustCompile(`(?m)^  s(\d+) -> s(\d+) \[label="(\w+)"(.*)\];$`)
)

// TestDOTPath checks the path-only drawings of both counterexamples
// against the golden files.
func TestDOTPath(t *testing.T) {
	for _, id := range exportIDs {
		t.Run(id, func(t *testing.T) {
			r := exportRun(t, id, exportTW1())
			data := write(t, func(b *bytes.Buffer) error { return traces.WriteDOTPath(b, r) })
			exportGolden(t, id+".path.dot", data)
			text := string(data)
			require.Equal(t, len(r.Steps)+1, strings.Count(text, "  p")-len(r.Steps), "one node per state")
			require.Equal(t, len(r.Steps), strings.Count(text, " -> "), "one edge per step")
			require.Equal(t, 1, strings.Count(text, "doublecircle"))
		})
	}
}

// TestDOTFullGraph draws the whole state graph of a small configuration
// and checks its structure: as many nodes as the explorer finds, every edge
// between drawn nodes, the run's states and steps (and only they) red, one
// double circle on the violating state.
func TestDOTFullGraph(t *testing.T) {
	cfg := exportSmall()
	r := exportRun(t, "no-rst-on-retransmitted-fin", cfg)
	m, err := model.New(r.Config)
	require.NoError(t, err)
	n, err := checker.Reachable[model.State, model.Label](context.Background(), m, checker.Options{})
	require.NoError(t, err)
	require.Less(t, n, 10_000, "the test configuration stays small")

	data := write(t, func(b *bytes.Buffer) error { return traces.WriteDOT(b, r, n) })
	text := string(data)
	nodes := dotNode.FindAllStringSubmatch(text, -1)
	require.Len(t, nodes, n, "one node per reachable state")
	red := 0
	double := 0
	for i, nd := range nodes {
		require.Equal(t, strconv.Itoa(i), nd[1], "nodes in order of discovery")
		if strings.Contains(nd[2], "color=red") {
			red++
		}
		if strings.Contains(nd[2], "doublecircle") {
			double++
			require.Contains(t, nd[2], "color=red")
		}
	}
	distinct := map[model.State]bool{r.Init: true}
	type step struct {
		from, to model.State
		verb     string
	}
	steps := map[step]bool{}
	prev := r.Init
	for _, st := range r.Steps {
		distinct[st.State] = true
		steps[step{prev, st.State, st.Label.Action.Kind.String()}] = true
		prev = st.State
	}
	require.Equal(t, len(distinct), red, "red nodes are the run's states")
	require.Equal(t, 1, double)
	edges := dotEdge.FindAllStringSubmatch(text, -1)
	require.Equal(t, strings.Count(text, " -> "), len(edges), "every edge parsed")
	redEdges := 0
	for _, e := range edges {
		from, _ := strconv.Atoi(e[1])
		to, _ := strconv.Atoi(e[2])
		require.Less(t, from, n)
		require.Less(t, to, n)
		if strings.Contains(e[4], "color=red") {
			redEdges++
		}
	}
	require.Equal(t, len(steps), redEdges, "red edges are the run's steps")
	t.Logf("%s: %d states, %d edges", "small configuration", n, len(edges))

	// One state fewer than reachable is refused, with the count.
	err = traces.WriteDOT(new(bytes.Buffer), r, n-1)
	var big *traces.StateGraphTooLargeError
	require.ErrorAs(t, err, &big)
	require.Equal(t, n-1, big.Max)
	require.Equal(t, n, big.Found)
	require.ErrorContains(t, err, fmt.Sprintf("more than %d states", n-1))
	require.ErrorContains(t, err, "smaller configuration")
}

// TestDOTRefusesLargeGraphs checks that the default configuration (millions
// of states) is refused quickly, and that a non-positive limit is an error.
func TestDOTRefusesLargeGraphs(t *testing.T) {
	r := exportRun(t, "no-stale-segment-accepted", exportTW1())
	err := traces.WriteDOT(new(bytes.Buffer), r, 1000)
	var big *traces.StateGraphTooLargeError
	require.ErrorAs(t, err, &big)
	require.Equal(t, 1001, big.Found)
	require.ErrorContains(t, err, "stopped after finding 1001")
	require.Error(t, traces.WriteDOT(new(bytes.Buffer), r, 0))
}

// TestDOTWithGraphviz lays out the drawings with Graphviz when it is
// installed.
func TestDOTWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("graphviz (dot) is not installed")
	}
	render := func(name string, data []byte) {
		cmd := exec.Command(dot, "-Tsvg")
		cmd.Stdin = bytes.NewReader(data)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "%s: %s", name, stderr.String())
		require.Empty(t, stderr.String(), name)
		require.Contains(t, string(out), "<svg", name)
	}
	for _, id := range exportIDs {
		r := exportRun(t, id, exportTW1())
		render(id+" path", write(t, func(b *bytes.Buffer) error { return traces.WriteDOTPath(b, r) }))
	}
	// Laying out thousands of nodes takes dot minutes; gc, Graphviz's graph
	// counter, parses the whole graph and counts it.
	gc, err := exec.LookPath("gc")
	if err != nil {
		return
	}
	r := exportRun(t, "no-rst-on-retransmitted-fin", exportSmall())
	data := write(t, func(b *bytes.Buffer) error { return traces.WriteDOT(b, r, 10_000) })
	cmd := exec.Command(gc, "-n", "-e")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	f := strings.Fields(string(out))
	require.GreaterOrEqual(t, len(f), 2, string(out))
	require.Equal(t, strconv.Itoa(len(dotNode.FindAllString(string(data), -1))), f[0], "gc counts the nodes")
	require.Equal(t, strconv.Itoa(strings.Count(string(data), " -> ")), f[1], "gc counts the edges")
}

// TestExportsOnOtherRuns runs every exporter on the counterexample or
// witness of every property, and on runs of non-default configurations
// (B closing first, data and FIN outstanding together, the RFC 6298 timer),
// checking what can be checked without a golden: the ITF validates, the
// capture parses with correct checksums, the packetdrill script's lines are
// all comments or timed, and the path drawing has one double circle.
func TestExportsOnOtherRuns(t *testing.T) {
	type run struct {
		id, name string
		cfg      model.Config
	}
	var runs []run
	for _, p := range properties.All() {
		runs = append(runs, run{p.ID, "default", exportTW1()})
	}
	anyFirst := exportTW1()
	anyFirst.CloseOrder = model.AnyFirst
	unacked := exportTW1()
	unacked.DataUnacked = true
	rfc := exportTW1()
	rfc.Rtx = model.RFC6298
	runs = append(runs, run{"no-rst-on-retransmitted-fin", "close-order-any", anyFirst},
		run{"no-rst-on-retransmitted-fin", "data-unacked", unacked}, run{"no-stale-segment-accepted", "rtx-rfc6298", rfc})
	for _, c := range runs {
		t.Run(c.id+"/"+c.name, func(t *testing.T) {
			r := exportRun(t, c.id, c.cfg)
			itf := write(t, func(b *bytes.Buffer) error { return traces.WriteITF(b, r) })
			require.NoError(t, traces.ValidateITF(itf))
			mark := `"violation": "` + c.id + `"`
			if r.Trace.Kind == traces.KindWitness {
				mark = `"witness": "` + c.id + `"`
			}
			require.Equal(t, 1, strings.Count(string(itf), mark), "one state is marked")
			_, recs := readPcap(t, write(t, func(b *bytes.Buffer) error { return traces.WritePcap(b, r) }))
			for i, rec := range recs {
				require.Equal(t, uint16(0xffff), onesComplementSum(rec.data[:20]), "packet %d", i)
				tcp := rec.data[20:]
				pseudo := append(append(append([]byte{}, rec.data[12:20]...), 0, 6), byte(len(tcp)>>8), byte(len(tcp)))
				require.Equal(t, uint16(0xffff), onesComplementSum(append(pseudo, tcp...)), "packet %d", i)
			}
			for _, kernel := range []model.Side{model.A, model.B} {
				text := string(write(t, func(b *bytes.Buffer) error { return traces.WritePacketdrill(b, r, kernel) }))
				for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
					if line != "" && !strings.HasPrefix(line, "//") {
						require.Regexp(t, pdTimed, line)
					}
				}
			}
			dot := string(write(t, func(b *bytes.Buffer) error { return traces.WriteDOTPath(b, r) }))
			require.Equal(t, 1, strings.Count(dot, "doublecircle"))
		})
	}
}
