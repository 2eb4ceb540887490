package traces

// The Informal Trace Format (ITF) is specified by Apalache's ADR-015,
// "Informal Trace Format in JSON" (apalache-mc/apalache,
// docs/src/adr/015adr-trace.md; https://apalache-mc.org/docs/adr/015adr-trace.html).
// What this file relies on, from that text:
//
//   - a trace is a JSON object {"#meta": optional object, "params": optional
//     array of strings, "vars": array of strings, "states": array of states,
//     "loop": optional int};
//   - "#meta" is an arbitrary JSON object for the reader (in a trace and in
//     every state); Quint and Apalache write {"index": i} in each state's;
//   - a state is an object with a value for every name in "vars" (and its
//     own optional "#meta");
//   - values are JSON strings, JSON booleans, JSON integers in the safe range
//     (which "may be" written bare), big integers {"#bigint": "[-][0-9]+"}
//     (which every integer may use), lists (JSON arrays), records (JSON
//     objects whose field names do not start with '#'), tuples {"#tup": [...]},
//     sets {"#set": [...]} and maps {"#map": [[key, value], ...]}; Quint adds
//     {"#unserializable": "..."} (its itf.d.ts).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// ITFFormatDescription is the address of the ITF specification, written in
// every ITF file's "#meta".
const ITFFormatDescription = "https://apalache-mc.org/docs/adr/015adr-trace.html"

// ITFVars returns the variables of every state [WriteITF] writes, in
// order. The slice is new on every call: changing it changes nothing else.
func ITFVars() []string {
	return []string{
		"A", "B", "net", "loss_left", "dup_left", "timers_fired", "tw_entered", "time", "action", "label",
	}
}

// WriteITF writes a replayed run in the Informal Trace Format (ITF, Apalache
// ADR-015), which Apalache and Quint write and their tools (the ITF trace
// viewer, Quint's and Rust's itf readers) read. One ITF state per trace
// state: index 0 is the initial state, index i the state after step i. The
// variables are [ITFVars]:
//
//   - A, B: records of every [model.Endpoint] field: "state" (the RFC 9293
//     name), "inc", "iss", "snd_una", "snd_nxt", "rcv_nxt", "irs", "data",
//     "app_closed", and the timers "rtx0", "rtx1", "tw", each a record
//     {"on", "due" (sub-ticks), "tries"};
//   - net: the copies in flight, a list of records {"src", "dst", "flags" (a
//     set of "SYN", "FIN", "RST", "ACK"), "seq", "ack", "len", "age"
//     (sub-ticks), "inc", "orphan", "rtx"} in the model's canonical order;
//   - loss_left, dup_left: what is left of the fault budgets;
//   - timers_fired: the deliveries-first phase bit;
//   - tw_entered: the ghost record {"A": set, "B": set} of the incarnations
//     in which each side entered TIME-WAIT;
//   - time: model time in sub-ticks ([Times]; a tick is "grid" sub-ticks);
//   - action: the action that led to the state ("init" for index 0), in the
//     form [model.ParseAction] reads back; label: the step in words.
//
// The network is a multiset, which ITF has no form for. It is written as a
// list, not a "#set": a set would merge two identical copies (a duplicate
// has the same age as its original), and the model keeps the multiset
// sorted, so the list is canonical and equal networks give equal lists.
// (TLA+'s Bags module would make it a function from copy to count, a
// "#map"; a list is easier to read and loses nothing.)
//
// Every integer in a state is a {"#bigint": "..."} object, which ADR-015
// allows for any integer; "#meta" objects are free-form JSON and use plain
// numbers for the state index, the configuration and the index of the state
// that violates the property (or reaches the witness).
//
// The trace's "#meta" "status" is what the replay shows, evaluated afresh:
// "violation" (with "violation-index") or "witness" (with "witness-index")
// when the property is violated or the witness reached, else "no-violation"
// or "no-witness" with a "warning" saying the run no longer shows it (the
// model or the file changed), or "unknown-property" with a "warning" when
// this version does not know the property. The output is deterministic (no
// timestamp) and passes [ValidateITF].
func WriteITF(w io.Writer, r Replayed) error {
	meta := itfTraceMeta(r)
	times := Times(r)
	var b bytes.Buffer
	b.WriteString("{\n  \"#meta\": ")
	writeITFValue(&b, meta)
	b.WriteString(",\n  \"vars\": ")
	names := ITFVars()
	vars := make(itfList, len(names))
	for i, v := range names {
		vars[i] = v
	}
	writeITFValue(&b, vars)
	b.WriteString(",\n  \"states\": [")
	at := Evaluate(r, exportProperty(r))
	for i := 0; i <= len(r.Steps); i++ {
		if i > 0 {
			b.WriteString(",")
		}
		smeta := itfObj{{"index", i}}
		if i == at {
			if r.Trace.Kind == KindWitness {
				smeta = append(smeta, itfField{"witness", r.Trace.Property})
			} else {
				smeta = append(smeta, itfField{"violation", r.Trace.Property})
			}
		}
		action, label := "init", "init"
		if i > 0 {
			l := r.Steps[i-1].Label
			action, label = l.Action.String(), l.String()
		}
		fields := itfStateVars(r.State(i), times[i], action, label)
		b.WriteString("\n    {\n      \"#meta\": ")
		writeITFValue(&b, smeta)
		for _, f := range fields {
			b.WriteString(",\n      ")
			writeITFString(&b, f.name)
			b.WriteString(": ")
			writeITFValue(&b, f.value)
		}
		b.WriteString("\n    }")
	}
	b.WriteString("\n  ]\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// exportProperty returns the trace's property, or a property that never fires
// when the ID is unknown.
func exportProperty(r Replayed) properties.Property {
	if p, ok := properties.ByID(r.Trace.Property); ok {
		return p
	}
	return properties.Property{ID: r.Trace.Property}
}

// exportWhat names a run: "counterexample to ID" or "witness of ID".
func exportWhat(kind, id string) string {
	if kind == KindWitness {
		return "witness of " + id
	}
	return "counterexample to " + id
}

// itfTraceMeta is the trace's "#meta" object.
func itfTraceMeta(r Replayed) itfObj {
	p := exportProperty(r)
	kind := r.Trace.Kind
	if kind == "" {
		kind = KindCounterexample
	}
	desc := exportWhat(kind, p.ID)
	if p.Title != "" {
		desc += " (" + p.Title + ")"
	}
	desc += fmt.Sprintf(": %d steps", len(r.Steps))
	if r.Trace.Search != "" {
		desc += ", " + r.Trace.Search + " search"
	}
	if r.Trace.Faults != nil {
		desc += "; " + r.Trace.Faults.Summary
	}
	cfg, _ := json.Marshal(r.Config)
	prop := itfObj{{"id", p.ID}}
	if p.Kind != 0 {
		prop = append(prop, itfField{"kind", p.Kind.String()}, itfField{"title", p.Title}, itfField{"ref", p.Ref})
	}
	at := Evaluate(r, p)
	status := "violation"
	if kind == KindWitness {
		status = "witness"
	}
	warning := ""
	switch {
	case p.Kind == 0: // unknown to this version: nothing was evaluated
		status = "unknown-property"
		warning = fmt.Sprintf("property %q is unknown to this version: nothing was checked", p.ID)
	case at < 0:
		verb := "violates"
		if kind == KindWitness {
			verb = "reaches"
		}
		status = "no-" + status
		warning = fmt.Sprintf("this run no longer %s %s: the model or the file changed", verb, p.ID)
	}
	meta := itfObj{
		{"format", "ITF"},
		{"format-description", ITFFormatDescription},
		{"source", "timewait (github.com/timewait/timewait), the TCP TIME-WAIT model (docs/model.md)"},
		{"description", desc},
		{"status", status},
		{"property", prop},
		{"kind", kind},
		{"search", r.Trace.Search},
		{"variant", r.Trace.Variant},
		{"steps", len(r.Steps)},
	}
	if at >= 0 {
		meta = append(meta, itfField{status + "-index", at})
	}
	if warning != "" {
		meta = append(meta, itfField{"warning", warning})
	}
	meta = append(meta,
		itfField{"time-unit", fmt.Sprintf("sub-tick: 1/%d of a tick; MSL = %d tick(s)", r.Config.Grid, r.Config.MSL)},
		itfField{"config", json.RawMessage(cfg)},
	)
	return meta
}

// itfStateVars returns the values of [ITFVars] for one state.
func itfStateVars(s model.State, time int, action, label string) itfObj {
	net := itfList{}
	for _, g := range s.Net.Copies() {
		net = append(net, itfSegment(g))
	}
	tw := itfObj{}
	for side := model.A; side <= model.B; side++ {
		incs := itfSet{}
		for inc := uint8(0); inc < 8; inc++ {
			if s.EnteredTimeWait(side, inc) {
				incs = append(incs, itfInt(inc))
			}
		}
		tw = append(tw, itfField{side.String(), incs})
	}
	return itfObj{
		{"A", itfEndpoint(s.Ends[model.A])},
		{"B", itfEndpoint(s.Ends[model.B])},
		{"net", net},
		{"loss_left", itfInt(s.LossLeft)},
		{"dup_left", itfInt(s.DupLeft)},
		{"timers_fired", s.Phase != 0},
		{"tw_entered", tw},
		{"time", itfInt(time)},
		{"action", action},
		{"label", label},
	}
}

func itfEndpoint(e model.Endpoint) itfObj {
	timer := func(t model.Timer) itfObj {
		return itfObj{{"on", t.On}, {"due", itfInt(t.Due)}, {"tries", itfInt(t.Tries)}}
	}
	return itfObj{
		{"state", e.St.String()},
		{"inc", itfInt(e.Inc)},
		{"iss", itfInt(e.ISS)},
		{"snd_una", itfInt(e.SndUna)},
		{"snd_nxt", itfInt(e.SndNxt)},
		{"rcv_nxt", itfInt(e.RcvNxt)},
		{"irs", itfInt(e.IRS)},
		{"data", e.Data},
		{"app_closed", e.AppClosed},
		{"rtx0", timer(e.Rtx[model.SlotFirst])},
		{"rtx1", timer(e.Rtx[model.SlotFIN])},
		{"tw", timer(e.TW)},
	}
}

func itfSegment(g model.Segment) itfObj {
	flags := itfSet{}
	for _, f := range []struct {
		bit  model.Flags
		name string
	}{{model.SYN, "SYN"}, {model.FIN, "FIN"}, {model.RST, "RST"}, {model.ACK, "ACK"}} {
		if g.Flags.Has(f.bit) {
			flags = append(flags, f.name)
		}
	}
	return itfObj{
		{"src", g.Src.String()},
		{"dst", g.Src.Peer().String()},
		{"flags", flags},
		{"seq", itfInt(g.Seq)},
		{"ack", itfInt(g.Ack)},
		{"len", itfInt(g.Len)},
		{"age", itfInt(g.Age)},
		{"inc", itfInt(g.Inc)},
		{"orphan", g.Orphan},
		{"rtx", g.Rtx},
	}
}

// The ITF values WriteITF builds: strings, booleans, big integers, lists,
// sets, records with ordered fields, plain numbers (only in "#meta") and raw
// JSON (the configuration in "#meta").
type (
	itfBig   int64
	itfList  []any
	itfSet   []any
	itfObj   []itfField
	itfField struct {
		name  string
		value any
	}
)

func itfInt[T ~uint8 | ~int](v T) itfBig { return itfBig(v) }

// writeITFValue writes v as compact JSON with a space after ':' and ','.
// HTML characters are not escaped (labels contain '>').
func writeITFValue(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case string:
		writeITFString(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case itfBig:
		b.WriteString(`{"#bigint": "`)
		b.WriteString(strconv.FormatInt(int64(v), 10))
		b.WriteString(`"}`)
	case itfList:
		writeITFArray(b, v)
	case itfSet:
		b.WriteString(`{"#set": `)
		writeITFArray(b, v)
		b.WriteString("}")
	case itfObj:
		b.WriteString("{")
		for i, f := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeITFString(b, f.name)
			b.WriteString(": ")
			writeITFValue(b, f.value)
		}
		b.WriteString("}")
	case json.RawMessage:
		b.Write(v)
	default:
		panic(fmt.Sprintf("traces: no ITF form for %T", v))
	}
}

func writeITFArray(b *bytes.Buffer, list []any) {
	b.WriteString("[")
	for i, e := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		writeITFValue(b, e)
	}
	b.WriteString("]")
}

func writeITFString(b *bytes.Buffer, s string) {
	var sb bytes.Buffer
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(sb.Bytes(), []byte("\n")))
}

// ITFError is a document that is not valid ITF: where (a path such as
// "states[3].A.iss") and why.
type ITFError struct {
	Path   string
	Reason string
}

// Error says where the document is invalid and why.
func (e *ITFError) Error() string {
	if e.Path == "" {
		return "invalid ITF: " + e.Reason
	}
	return fmt.Sprintf("invalid ITF at %s: %s", e.Path, e.Reason)
}

var itfBigintRE = regexp.MustCompile(`^-?[0-9]+$`)

// ValidateITF checks that data is one ITF trace (ADR-015; see [WriteITF])
// as this tool writes them, and returns an [*ITFError] naming the first
// problem. It checks:
//
//   - the top level is one JSON object with only the fields "#meta",
//     "params", "vars", "states" and "loop", and nothing after it;
//   - "#meta", when present (the spec makes it optional), is an object, in
//     the trace and in every state; its contents are free-form and not
//     checked, except that a state's "index", when given, is its position;
//   - "vars" is an array of distinct strings that do not start with '#';
//     "params", when present, likewise and disjoint from "vars";
//   - "states" is a non-empty array of objects; every state has a value for
//     every variable, the first also for every parameter, and no other
//     field;
//   - every value is a string, a boolean, a list, a record (field names not
//     starting with '#'), or one of {"#bigint": "[-][0-9]+"}, {"#tup": [...]},
//     {"#set": [...]}, {"#map": [[k, v], ...]}, {"#unserializable": "..."};
//     null is not a value;
//   - there is no bare JSON number outside "#meta": ADR-015 lets integers in
//     the safe range be written bare, but this tool writes every integer as a
//     "#bigint", so a bare number means the file was not written by
//     [WriteITF] or was edited. The one exception is "loop", which the spec
//     gives as a plain int (a "#bigint" is accepted too); it must index a
//     state.
func ValidateITF(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return &ITFError{Reason: "not JSON: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &ITFError{Reason: "unexpected data after the trace object"}
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return &ITFError{Reason: "the trace is not a JSON object"}
	}
	for _, k := range itfSortedKeys(top) {
		switch k {
		case "#meta", "params", "vars", "states", "loop":
		default:
			return &ITFError{Path: k, Reason: "unknown trace field (want #meta, params, vars, states, loop)"}
		}
	}
	if m, ok := top["#meta"]; ok {
		if _, ok := m.(map[string]any); !ok {
			return &ITFError{Path: "#meta", Reason: "not an object"}
		}
	}
	raw, ok := top["vars"]
	if !ok {
		return &ITFError{Path: "vars", Reason: "missing"}
	}
	vars, err := itfNames("vars", raw, nil)
	if err != nil {
		return err
	}
	var params []string
	if raw, ok := top["params"]; ok {
		if params, err = itfNames("params", raw, vars); err != nil {
			return err
		}
	}
	raw, ok = top["states"]
	if !ok {
		return &ITFError{Path: "states", Reason: "missing"}
	}
	states, ok := raw.([]any)
	if !ok {
		return &ITFError{Path: "states", Reason: "not an array"}
	}
	if len(states) == 0 {
		return &ITFError{Path: "states", Reason: "empty: a trace has at least one state"}
	}
	known := map[string]bool{"#meta": true}
	for _, v := range append(append([]string(nil), vars...), params...) {
		known[v] = true
	}
	for i, raw := range states {
		path := fmt.Sprintf("states[%d]", i)
		st, ok := raw.(map[string]any)
		if !ok {
			return &ITFError{Path: path, Reason: "not an object"}
		}
		if m, ok := st["#meta"]; ok {
			mo, ok := m.(map[string]any)
			if !ok {
				return &ITFError{Path: path + ".#meta", Reason: "not an object"}
			}
			if idx, ok := mo["index"]; ok {
				if n, ok := idx.(json.Number); !ok || n.String() != strconv.Itoa(i) {
					return &ITFError{Path: path + ".#meta.index", Reason: fmt.Sprintf("%v is not the state's position %d", idx, i)}
				}
			}
		}
		need := vars
		if i == 0 {
			need = append(append([]string(nil), vars...), params...)
		}
		for _, v := range need {
			if _, ok := st[v]; !ok {
				return &ITFError{Path: path, Reason: fmt.Sprintf("no value for %q", v)}
			}
		}
		for _, k := range itfSortedKeys(st) {
			if !known[k] {
				return &ITFError{Path: path + "." + k, Reason: "not a declared variable or parameter"}
			}
			if k == "#meta" {
				continue
			}
			if err := checkITFValue(path+"."+k, st[k]); err != nil {
				return err
			}
		}
	}
	if raw, ok := top["loop"]; ok {
		n, err := itfLoop(raw)
		if err != nil {
			return err
		}
		if n < 0 || n >= int64(len(states)) {
			return &ITFError{Path: "loop", Reason: fmt.Sprintf("%d is not the index of a state (0..%d)", n, len(states)-1)}
		}
	}
	return nil
}

// itfNames checks an array of distinct variable or parameter names.
func itfNames(field string, raw any, others []string) ([]string, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, &ITFError{Path: field, Reason: "not an array of strings"}
	}
	seen := map[string]bool{}
	for _, o := range others {
		seen[o] = true
	}
	var out []string
	for i, e := range list {
		s, ok := e.(string)
		path := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !ok:
			return nil, &ITFError{Path: path, Reason: "not a string"}
		case s == "" || strings.HasPrefix(s, "#"):
			return nil, &ITFError{Path: path, Reason: fmt.Sprintf("%q is not a variable name (empty or starts with '#')", s)}
		case seen[s]:
			return nil, &ITFError{Path: path, Reason: fmt.Sprintf("%q declared twice", s)}
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

func itfLoop(raw any) (int64, error) {
	switch v := raw.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
	case map[string]any:
		if s, ok := v["#bigint"].(string); ok && len(v) == 1 && itfBigintRE.MatchString(s) {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, nil
			}
		}
	}
	return 0, &ITFError{Path: "loop", Reason: "not an integer"}
}

// checkITFValue checks one ITF expression.
func checkITFValue(path string, v any) error {
	switch v := v.(type) {
	case string, bool:
		return nil
	case nil:
		return &ITFError{Path: path, Reason: "null is not an ITF value"}
	case json.Number:
		return &ITFError{Path: path, Reason: fmt.Sprintf("bare JSON number %s: integers are written {\"#bigint\": \"%s\"}", v, v)}
	case []any:
		for i, e := range v {
			if err := checkITFValue(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		keys := itfSortedKeys(v)
		for _, k := range keys {
			if strings.HasPrefix(k, "#") && len(v) > 1 {
				return &ITFError{Path: path, Reason: fmt.Sprintf("%q next to other fields (record field names must not start with '#')", k)}
			}
		}
		if len(keys) == 1 && strings.HasPrefix(keys[0], "#") {
			return checkITFSpecial(path, keys[0], v[keys[0]])
		}
		for _, k := range keys {
			if err := checkITFValue(path+"."+k, v[k]); err != nil {
				return err
			}
		}
		return nil
	}
	return &ITFError{Path: path, Reason: fmt.Sprintf("unexpected %T", v)}
}

// checkITFSpecial checks a {"#...": ...} form.
func checkITFSpecial(path, key string, v any) error {
	switch key {
	case "#bigint":
		if s, ok := v.(string); !ok || !itfBigintRE.MatchString(s) {
			return &ITFError{Path: path, Reason: fmt.Sprintf("#bigint %v is not a string of decimal digits", v)}
		}
		return nil
	case "#unserializable":
		if _, ok := v.(string); !ok {
			return &ITFError{Path: path, Reason: "#unserializable is not a string"}
		}
		return nil
	case "#tup", "#set":
		list, ok := v.([]any)
		if !ok {
			return &ITFError{Path: path, Reason: key + " is not an array"}
		}
		return checkITFValue(path+"."+key, list)
	case "#map":
		list, ok := v.([]any)
		if !ok {
			return &ITFError{Path: path, Reason: "#map is not an array"}
		}
		for i, e := range list {
			pair, ok := e.([]any)
			p := fmt.Sprintf("%s.#map[%d]", path, i)
			if !ok || len(pair) != 2 {
				return &ITFError{Path: p, Reason: "not a [key, value] pair"}
			}
			if err := checkITFValue(p, pair); err != nil {
				return err
			}
		}
		return nil
	}
	return &ITFError{Path: path, Reason: fmt.Sprintf("unknown form %q (want #bigint, #tup, #set, #map or #unserializable)", key)}
}

func itfSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
