package main

// Sharded sweeps: "timewait sweep --shard i/n" runs a deterministic share of
// a sweep and writes its results as a JSON shard document; "timewait sweep
// --merge FILE..." checks that the documents are the n shards of one sweep and
// prints what the unsharded sweep prints.
//
// A work unit is one configuration of the sweep: one MSL and one setting of
// the --vary parameters, with its whole TIME-WAIT column. The unsharded sweep
// derives each threshold from that column alone, and its top-down early stop
// (no --all-tw) looks only at that column's results, so a shard that runs the
// column exactly as verify.Sweep does computes exactly the rows and
// thresholds the unsharded sweep would, without knowing anything about the
// other shards. Units are numbered from 0 in verify.Sweep's order (MSL
// slowest, then the --vary combinations, first parameter slowest); unit k
// belongs to shard k mod n + 1. Merging lays the units back in that order,
// which is the unsharded sweep's order of rows and thresholds.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/variants"
	"github.com/timewait/timewait/verify"
)

// Shard documents: the "format" field and the version this tool writes and
// reads.
const (
	shardFormat  = "timewait-sweep-shard"
	shardVersion = 1
	// maxShardBytes bounds what --merge reads from one file.
	maxShardBytes = 256 << 20
)

// shardID is "--shard i/n": shard Index (1-based) of Count.
type shardID struct{ Index, Count int }

func (s shardID) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// parseShard parses "i/n" with 1 ≤ i ≤ n.
func parseShard(s string) (shardID, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || strings.HasPrefix(is, "+") || strings.HasPrefix(ns, "+") {
		return shardID{}, badInput("--shard %q: want i/n, two whole numbers such as 2/8", s)
	}
	if n < 1 || i < 1 || i > n {
		return shardID{}, badInput("--shard %q: want i/n with 1 ≤ i ≤ n (shards are numbered from 1)", s)
	}
	return shardID{i, n}, nil
}

// parseSweepArgs parses sweep's flags like parseFlags, but lets flags and
// arguments (the files of --merge) come in any order; the caller refuses
// arguments where none are wanted.
func parseSweepArgs(fs *flag.FlagSet, args []string, stdout io.Writer) (map[string]bool, []string, bool, error) {
	var files []string
	for rest := args; len(rest) > 0; {
		if err := fs.Parse(rest); err != nil {
			if err == flag.ErrHelp {
				fs.SetOutput(stdout)
				fmt.Fprintf(stdout, "usage: timewait %s [flags]\n       timewait %s --merge [--json] [--brief] SHARD-FILE...\n", fs.Name(), fs.Name())
				fs.PrintDefaults()
				return nil, nil, true, nil
			}
			return nil, nil, false, badInput("%s: %v", fs.Name(), err)
		}
		left := fs.Args()
		if used := len(rest) - len(left); used > 0 && rest[used-1] == "--" {
			files = append(files, left...)
			break
		}
		for len(left) > 0 && (left[0] == "-" || !strings.HasPrefix(left[0], "-")) {
			files = append(files, left[0])
			left = left[1:]
		}
		rest = left
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return set, files, false, nil
}

// shardRun is one "sweep --shard i/n" invocation.
type shardRun struct {
	spec      verify.SweepSpec
	variant   *variants.Variant
	maxStates int // the --max-states flag (0: the memory guard of the machine that runs the shard)
	id        shardID
	out       string // --out, or "" for stdout
}

// shardDoc is a shard document: what "sweep --shard" writes and "sweep
// --merge" reads.
type shardDoc struct {
	Format      string `json:"format"`       // shardFormat
	Version     int    `json:"version"`      // shardVersion
	ToolVersion string `json:"tool_version"` // the timewait that ran the shard; merge requires its own
	Shard       int    `json:"shard"`        // i, 1-based
	Shards      int    `json:"shards"`       // n
	// Sweep is everything that decides the sweep's results; the shards of
	// one sweep have the same.
	Sweep shardSpec `json:"sweep"`
	// Units is the number of work units of the whole sweep.
	Units   int         `json:"units"`
	Results []shardUnit `json:"results"`
}

// shardSpec is the specification of a sweep as recorded in a shard.
type shardSpec struct {
	Variant       string       `json:"variant"`               // "" for none
	Config        model.Config `json:"config"`                // the base configuration, variant applied, grid resolved
	MSL           []int        `json:"msl"`                   // --msl
	TW            []int        `json:"tw"`                    // --tw; null for 0..4·MSL+1 at each MSL
	Vary          []shardRange `json:"vary"`                  // --vary, in order
	Properties    []string     `json:"properties"`            // --property
	AllTW         bool         `json:"all_tw"`                // --all-tw
	MaxStates     int          `json:"max_states"`            // --max-states; 0: the memory guard of the machine that ran the shard
	AllowDeadlock bool         `json:"allow_deadlock"`        // --allow-deadlock
	NoSymmetry    bool         `json:"no_symmetry,omitempty"` // --no-symmetry
}

// shardRange is one --vary parameter.
type shardRange struct {
	Name   string `json:"name"`
	Values []int  `json:"values"`
}

// shardParam is one varied parameter's value in a unit.
type shardParam struct {
	Name  string `json:"name"`
	Value int    `json:"value"`
}

// shardUnit is the result of one work unit: one configuration's TIME-WAIT
// column, as the unsharded sweep computes it.
type shardUnit struct {
	Unit       int              `json:"unit"` // 0-based, in the sweep's order
	MSL        int              `json:"msl"`
	Params     []shardParam     `json:"params"`
	Rows       []shardRow       `json:"rows"`
	Thresholds []shardThreshold `json:"thresholds"`
}

// shardRow is one checked (TW, property) of a unit.
type shardRow struct {
	TW          int     `json:"tw"`
	Property    string  `json:"property"`
	Verdict     string  `json:"verdict"`
	Complete    bool    `json:"complete"`
	States      int     `json:"states"`
	Transitions int     `json:"transitions"`
	Seconds     float64 `json:"seconds"`
	Shared      bool    `json:"shared"` // decided by the shared TW search (verify.Row.Shared)
	// Symmetry: searched up to the A↔B symmetry (verify.Row.Symmetry);
	// omitted when false.
	Symmetry bool `json:"symmetry,omitempty"`
}

// shardThreshold is one property's threshold in a unit; the counterexample
// is a trace (docs/trace-format.md), replayed on merge.
type shardThreshold struct {
	Property       string          `json:"property"`
	MinTW          *int            `json:"min_tw"`
	Reason         string          `json:"reason,omitempty"`
	Sets           string          `json:"sets"`
	Counterexample json.RawMessage `json:"counterexample,omitempty"`
}

// sweepUnit is one work unit: an MSL and a setting of the varied parameters.
type sweepUnit struct {
	msl    int
	params []verify.Param
}

// sweepUnits lists a sweep's work units in verify.Sweep's order: MSL
// slowest, then every combination of the varied parameters, first parameter
// slowest.
func sweepUnits(spec verify.SweepSpec) []sweepUnit {
	combos := [][]verify.Param{nil}
	for _, r := range spec.Vary {
		var next [][]verify.Param
		for _, c := range combos {
			for _, v := range r.Values {
				next = append(next, append(slices.Clone(c), verify.Param{Name: r.Name, Value: v}))
			}
		}
		combos = next
	}
	var units []sweepUnit
	for _, msl := range spec.MSL {
		for _, c := range combos {
			units = append(units, sweepUnit{msl, c})
		}
	}
	return units
}

// unitSpec is the sweep of one unit alone: its MSL and a single value for
// each varied parameter, so that verify.Sweep checks exactly the
// configuration, TWs and order the whole sweep checks for it.
func unitSpec(spec verify.SweepSpec, u sweepUnit) verify.SweepSpec {
	us := spec
	us.MSL = []int{u.msl}
	us.Vary = nil
	for _, p := range u.params {
		us.Vary = append(us.Vary, verify.Range{Name: p.Name, Values: []int{p.Value}})
	}
	return us
}

// unitConfig is the configuration verify.Sweep checks for unit u at TW tw,
// resolved as verify.Check resolves it.
func unitConfig(spec verify.SweepSpec, u sweepUnit, tw int) model.Config {
	cfg := spec.Base
	cfg.MSL = u.msl
	for _, p := range u.params {
		cfg = verify.WithParam(cfg, p)
	}
	if spec.Apply != nil {
		cfg = spec.Apply(cfg)
	}
	cfg.TW = tw
	cfg.Grid = verify.ExactGrid(cfg, spec.Props) // as verify.Check resolves it
	return cfg
}

// shardUnits returns the indexes of the units shard id runs: k with
// k mod n = i−1.
func shardUnits(total int, id shardID) []int {
	var ks []int
	for k := id.Index - 1; k < total; k += id.Count {
		ks = append(ks, k)
	}
	return ks
}

// recordSpec is the shard form of a sweep's specification.
func recordSpec(r shardRun) shardSpec {
	s := shardSpec{Config: r.spec.Base, MSL: r.spec.MSL, TW: r.spec.TW, Vary: []shardRange{}, Properties: []string{},
		AllTW: r.spec.AllTW, MaxStates: r.maxStates, AllowDeadlock: r.spec.Opts.AllowDeadlock, NoSymmetry: r.spec.Opts.NoSymmetry}
	if r.variant != nil {
		s.Variant = r.variant.Name
	}
	for _, v := range r.spec.Vary {
		s.Vary = append(s.Vary, shardRange{v.Name, v.Values})
	}
	for _, p := range r.spec.Props {
		s.Properties = append(s.Properties, p.ID)
	}
	return s
}

// runShard runs shard r.id of the sweep and writes its document.
func runShard(ctx context.Context, r shardRun, prog *progress, stdout, stderr io.Writer) (int, error) {
	// Create the output file first, so that an unwritable path fails before
	// the work; the document appears under its name only once complete.
	var tmp *os.File
	if r.out != "" {
		var err error
		if tmp, err = os.CreateTemp(filepath.Dir(r.out), "."+filepath.Base(r.out)+".*.tmp"); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return exitBadInput, badInput("--out %s: cannot create a file in %s: %v", r.out, filepath.Dir(r.out), err)
		}
		defer func() {
			tmp.Close()
			os.Remove(tmp.Name()) // fails harmlessly once renamed
		}()
	}
	units := sweepUnits(r.spec)
	doc := shardDoc{Format: shardFormat, Version: shardVersion, ToolVersion: Version, Shard: r.id.Index, Shards: r.id.Count,
		Sweep: recordSpec(r), Units: len(units), Results: []shardUnit{}}
	mine := shardUnits(len(units), r.id)
	if len(mine) == 0 {
		fmt.Fprintf(stderr, "note: shard %s has no work: the sweep has %d unit(s); --merge still needs its document\n", r.id, len(units))
	}
	var ths []verify.Threshold
	for _, k := range mine {
		rep, err := verify.Sweep(ctx, unitSpec(r.spec, units[k]), nil)
		prog.done()
		if code, err := sweepError(err); err != nil {
			return code, err
		}
		u, err := recordUnit(k, units[k], rep)
		if err != nil {
			return exitBadInput, err
		}
		doc.Results = append(doc.Results, u)
		ths = append(ths, rep.Thresholds...)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return exitBadInput, err
	}
	if tmp == nil {
		if _, err := stdout.Write(b.Bytes()); err != nil {
			return exitBadInput, err
		}
	} else {
		_, err := tmp.Write(b.Bytes())
		if err == nil {
			err = tmp.Chmod(0o644) // CreateTemp makes it 0600
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), r.out)
		}
		if err != nil {
			return exitBadInput, badInput("--out %s: %v", r.out, err)
		}
	}
	if sweepIncomplete(ths) {
		return exitIncomplete, nil
	}
	return exitHolds, nil
}

// recordUnit is the shard form of unit k's report.
func recordUnit(k int, u sweepUnit, rep verify.SweepReport) (shardUnit, error) {
	su := shardUnit{Unit: k, MSL: u.msl, Params: []shardParam{}, Rows: []shardRow{}, Thresholds: []shardThreshold{}}
	for _, p := range u.params {
		su.Params = append(su.Params, shardParam{p.Name, p.Value})
	}
	for _, r := range rep.Rows {
		su.Rows = append(su.Rows, shardRow{TW: r.TW, Property: r.Property, Verdict: r.Verdict.String(), Complete: r.Complete,
			States: r.States, Transitions: r.Transitions, Seconds: r.Seconds, Shared: r.Shared, Symmetry: r.Symmetry})
	}
	for _, t := range rep.Thresholds {
		st := shardThreshold{Property: t.Property, MinTW: t.MinTW, Reason: t.Reason, Sets: t.Sets}
		if t.Counterexample != nil {
			p, _ := properties.ByID(t.Property)
			tr, _, err := traces.FromPath(t.Config, p, traces.SearchShortest, t.Counterexample)
			if err != nil {
				return su, fmt.Errorf("msl=%d %s: %w", t.MSL, t.Property, err)
			}
			var b bytes.Buffer
			if err := traces.Encode(&b, tr); err != nil {
				return su, err
			}
			st.Counterexample = json.RawMessage(bytes.TrimSpace(b.Bytes()))
		}
		su.Thresholds = append(su.Thresholds, st)
	}
	return su, nil
}

// mergeFlags are the flags --merge accepts: the rest of the sweep comes from
// the shard documents.
var mergeFlags = []string{"merge", "json", "brief"}

// runMerge is "timewait sweep --merge FILE...".
func runMerge(files []string, set map[string]bool, jsonOut, brief bool, stdout io.Writer) (int, error) {
	if set["shard"] {
		return exitBadInput, badInput("--merge and --shard cannot be combined: --shard runs one part of a sweep, --merge combines the parts")
	}
	var given []string
	for name := range set {
		given = append(given, name)
	}
	sort.Strings(given)
	for _, name := range given {
		if name == "out" {
			return exitBadInput, badInput("--out is for --shard's document; redirect --merge's output instead")
		}
		if !slices.Contains(mergeFlags, name) {
			return exitBadInput, badInput("--%s cannot be given with --merge: the sweep's settings come from the shard files (--merge takes --json and --brief)", name)
		}
	}
	if len(files) == 0 {
		return exitBadInput, badInput("--merge: no shard files (usage: timewait sweep --merge [--json] [--brief] FILE...)")
	}
	docs := make([]shardDoc, len(files))
	specs := make([]map[string]json.RawMessage, len(files))
	for i, f := range files {
		var err error
		if docs[i], err = readShard(f); err != nil {
			return exitBadInput, badInput("--merge %s: %v", f, err)
		}
		if docs[i].ToolVersion != Version {
			return exitBadInput, badInput("--merge %s: written by timewait %q, this is %s; merge with the version that ran the shards", f, docs[i].ToolVersion, Version)
		}
		raw, err := json.Marshal(docs[i].Sweep)
		if err != nil {
			return exitBadInput, badInput("--merge %s: %v", f, err)
		}
		if err := json.Unmarshal(raw, &specs[i]); err != nil {
			return exitBadInput, badInput("--merge %s: %v", f, err)
		}
	}
	first := docs[0]
	for i, d := range docs[1:] {
		f := files[i+1]
		if diff := specDiff(specs[0], specs[i+1]); len(diff) > 0 {
			return exitBadInput, badInput("--merge: %s and %s are shards of different sweeps (they differ in %s)", files[0], f, strings.Join(diff, ", "))
		}
		if d.Shards != first.Shards {
			return exitBadInput, badInput("--merge: %s is shard %d/%d but %s is shard %d/%d: the sweep was split differently", files[0], first.Shard, first.Shards, f, d.Shard, d.Shards)
		}
	}
	n := first.Shards
	byShard := map[int][]string{}
	var indexes []int
	for i, d := range docs {
		if byShard[d.Shard] == nil {
			indexes = append(indexes, d.Shard)
		}
		byShard[d.Shard] = append(byShard[d.Shard], files[i])
	}
	sort.Ints(indexes)
	for _, i := range indexes {
		if len(byShard[i]) > 1 {
			return exitBadInput, badInput("--merge: shard %d/%d is given more than once (%s)", i, n, strings.Join(byShard[i], ", "))
		}
	}
	if len(indexes) < n {
		// n comes from a file: name at most a few of the missing shards.
		const most = 10
		var missing []string
		for i := 1; i <= n && len(missing) <= most; i++ {
			if byShard[i] == nil {
				missing = append(missing, fmt.Sprintf("%d/%d", i, n))
			}
		}
		if len(missing) > most {
			missing[most] = "…"
		}
		return exitBadInput, badInput("--merge: missing shard%s %s (given %d of %d)", plural(n-len(indexes)), strings.Join(missing, ", "), len(indexes), n)
	}
	spec, v, err := specFromShard(first.Sweep)
	if err != nil {
		return exitBadInput, badInput("--merge %s: %v", files[0], err)
	}
	units := sweepUnits(spec)
	results := make([]*shardUnit, len(units))
	for i, d := range docs {
		if err := placeResults(d, units, results); err != nil {
			return exitBadInput, badInput("--merge %s: %v", files[i], err)
		}
	}
	var rep verify.SweepReport
	for k, u := range results {
		rows, ths, err := unitReport(spec, units[k], u)
		if err != nil {
			return exitBadInput, badInput("--merge %s: unit %d (msl=%d%s): %v", byShard[k%n+1][0], k, units[k].msl, paramText(units[k].params), err)
		}
		rep.Rows = append(rep.Rows, rows...)
		rep.Thresholds = append(rep.Thresholds, ths...)
	}
	return writeSweep(stdout, spec, v, rep, jsonOut, brief)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// specDiff names the fields in which two recorded sweep specifications
// differ, in order.
func specDiff(a, b map[string]json.RawMessage) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var diff []string
	for _, k := range keys {
		if !bytes.Equal(a[k], b[k]) {
			diff = append(diff, k)
		}
	}
	return diff
}

// readShard reads and checks one shard document: its JSON, format and
// version, every field known, and the shard numbers.
func readShard(path string) (shardDoc, error) {
	var d shardDoc
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return d, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxShardBytes+1))
	if err != nil {
		return d, err
	}
	if len(data) > maxShardBytes {
		return d, fmt.Errorf("larger than %d MiB, not a shard document", maxShardBytes>>20)
	}
	// The format and version first, so that another kind of file is named
	// as such rather than by its first unknown field.
	var head map[string]json.RawMessage
	if err := json.Unmarshal(data, &head); err != nil {
		return d, jsonError(data, err)
	}
	var format string
	var version int
	if _, ok := head["format"]; !ok || json.Unmarshal(head["format"], &format) != nil || format != shardFormat {
		return d, fmt.Errorf("not a sweep shard document (its \"format\" is not %q)", shardFormat)
	}
	if err := json.Unmarshal(head["version"], &version); err != nil {
		return d, fmt.Errorf("\"version\" is missing or not a whole number")
	}
	if version != shardVersion {
		return d, fmt.Errorf("shard format version %d, this tool reads %d", version, shardVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, jsonError(data, err)
	}
	if dec.More() {
		return d, fmt.Errorf("unexpected data after the document")
	}
	if d.Shards < 1 || d.Shard < 1 || d.Shard > d.Shards {
		return d, fmt.Errorf("shard %d/%d: want i/n with 1 ≤ i ≤ n", d.Shard, d.Shards)
	}
	return d, nil
}

// jsonError says where in data a JSON error is, on one line.
func jsonError(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	msg := strings.TrimPrefix(err.Error(), "json: ")
	switch {
	case errors.As(err, &se):
		off = max(se.Offset-1, 0) // Offset is just after the offending byte
	case errors.As(err, &te):
		// No place: inside the configuration, offsets count from the
		// configuration, not the file. The field path says where.
		msg = fmt.Sprintf("want %s, not %s", jsonKind(te.Type), te.Value)
		if te.Field != "" {
			msg = fmt.Sprintf("%q: %s", te.Field, msg)
		}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("malformed JSON: unexpected end of file")
	}
	if off < 0 {
		return fmt.Errorf("malformed shard document: %s", msg)
	}
	line, col := 1, 1
	for _, c := range data[:min(int(off), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("malformed JSON at line %d, column %d: %s", line, col, msg)
}

// jsonKind names the JSON a Go type is read from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint8, reflect.Uint, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem()) + " or null"
	}
	return "an object"
}

// specFromShard rebuilds a sweep's specification from its shard record and
// checks it as "timewait sweep" checks its flags.
func specFromShard(s shardSpec) (verify.SweepSpec, *variants.Variant, error) {
	spec := verify.SweepSpec{Base: s.Config, MSL: s.MSL, TW: s.TW, AllTW: s.AllTW,
		Opts: verify.Options{MaxStates: s.MaxStates, AllowDeadlock: s.AllowDeadlock, NoSymmetry: s.NoSymmetry}}
	if len(s.MSL) == 0 || (s.TW != nil && len(s.TW) == 0) {
		return spec, nil, fmt.Errorf("sweep: msl and tw must not be empty")
	}
	for _, vals := range append([][]int{s.MSL, s.TW}, rangeValues(s.Vary)...) {
		for i, x := range vals {
			if x < 0 || (i > 0 && x <= vals[i-1]) {
				return spec, nil, fmt.Errorf("sweep: a range is not increasing whole numbers: %v", vals)
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range s.Vary {
		if !slices.Contains(verify.VaryableParams(), r.Name) || seen[r.Name] || len(r.Values) == 0 {
			return spec, nil, fmt.Errorf("sweep: bad vary entry %q", r.Name)
		}
		seen[r.Name] = true
		spec.Vary = append(spec.Vary, verify.Range{Name: r.Name, Values: r.Values})
	}
	if len(s.Properties) == 0 {
		return spec, nil, fmt.Errorf("sweep: no properties")
	}
	props, err := properties.Lookup(s.Properties)
	if err != nil {
		return spec, nil, fmt.Errorf("sweep: %v", err)
	}
	for _, p := range props {
		if p.Kind != properties.Always {
			return spec, nil, fmt.Errorf("sweep: %s is not a safety property", p.ID)
		}
	}
	spec.Props = props
	var v *variants.Variant
	if s.Variant != "" {
		vv, err := variants.Lookup(s.Variant)
		if err != nil {
			return spec, nil, fmt.Errorf("sweep: %v", err)
		}
		if !vv.Holds(s.Config) {
			return spec, nil, fmt.Errorf("sweep: the configuration does not have variant %s's rules", vv.Name)
		}
		if vv.FixedTW && len(s.TW) != 1 {
			return spec, nil, fmt.Errorf("sweep: variant %s fixes TIME-WAIT, so tw must be one value", vv.Name)
		}
		v, spec.Apply = &vv, vv.Apply
	}
	if err := validateSweep(spec); err != nil {
		return spec, nil, fmt.Errorf("sweep: %v", err)
	}
	return spec, v, nil
}

func rangeValues(rs []shardRange) [][]int {
	var out [][]int
	for _, r := range rs {
		out = append(out, r.Values)
	}
	return out
}

// placeResults checks that shard d holds exactly its units, each once and in
// order, and files them under their index.
func placeResults(d shardDoc, units []sweepUnit, results []*shardUnit) error {
	if d.Units != len(units) {
		return fmt.Errorf("records %d work units, the sweep has %d", d.Units, len(units))
	}
	want := shardUnits(len(units), shardID{d.Shard, d.Shards})
	if len(d.Results) != len(want) {
		return fmt.Errorf("shard %d/%d holds %d unit(s), it should hold %d", d.Shard, d.Shards, len(d.Results), len(want))
	}
	for j, k := range want {
		u := &d.Results[j]
		if u.Unit != k {
			return fmt.Errorf("result %d is unit %d, shard %d/%d's should be unit %d", j+1, u.Unit, d.Shard, d.Shards, k)
		}
		var params []verify.Param
		for _, p := range u.Params {
			params = append(params, verify.Param{Name: p.Name, Value: p.Value})
		}
		if u.MSL != units[k].msl || paramText(params) != paramText(units[k].params) {
			return fmt.Errorf("unit %d is msl=%d%s, the sweep's unit %d is msl=%d%s", k, u.MSL, paramText(params), k, units[k].msl, paramText(units[k].params))
		}
		results[k] = u
	}
	return nil
}

// verdicts are the verdicts a sweep row can have.
var verdicts = []checker.Verdict{checker.Holds, checker.Violated, checker.Incomplete}

// unitReport rebuilds unit u's rows and thresholds as verify.Sweep returned
// them, replaying each counterexample.
func unitReport(spec verify.SweepSpec, su sweepUnit, u *shardUnit) ([]verify.Row, []verify.Threshold, error) {
	var rows []verify.Row
	for _, r := range u.Rows {
		row := verify.Row{MSL: su.msl, TW: r.TW, Params: su.params, Property: r.Property, Complete: r.Complete,
			States: r.States, Transitions: r.Transitions, Seconds: r.Seconds, Shared: r.Shared, Symmetry: r.Symmetry}
		for _, v := range verdicts {
			if r.Verdict == v.String() {
				row.Verdict = v
			}
		}
		if row.Verdict == 0 {
			return nil, nil, fmt.Errorf("row tw=%d: verdict %q (want holds, violated or incomplete)", r.TW, r.Verdict)
		}
		if !slices.ContainsFunc(spec.Props, func(p properties.Property) bool { return p.ID == r.Property }) {
			return nil, nil, fmt.Errorf("row tw=%d: property %q is not one the sweep checks", r.TW, r.Property)
		}
		rows = append(rows, row)
	}
	if len(u.Thresholds) != len(spec.Props) {
		return nil, nil, fmt.Errorf("%d thresholds, want one per property (%d)", len(u.Thresholds), len(spec.Props))
	}
	var ths []verify.Threshold
	for j, t := range u.Thresholds {
		p := spec.Props[j]
		if t.Property != p.ID {
			return nil, nil, fmt.Errorf("threshold %d is for %q, want %q", j+1, t.Property, p.ID)
		}
		th := verify.Threshold{MSL: su.msl, Params: su.params, Property: t.Property, MinTW: t.MinTW, Reason: t.Reason, Sets: t.Sets}
		if t.Counterexample != nil {
			if t.MinTW == nil || *t.MinTW < 1 {
				return nil, nil, fmt.Errorf("%s: a counterexample needs min_tw ≥ 1", p.ID)
			}
			tr, err := traces.Decode(bytes.NewReader(t.Counterexample))
			if err != nil {
				return nil, nil, fmt.Errorf("%s: counterexample: %v", p.ID, err)
			}
			if tr.Property != p.ID || tr.Kind != traces.KindCounterexample {
				return nil, nil, fmt.Errorf("%s: counterexample: a %s of %q", p.ID, tr.Kind, tr.Property)
			}
			if m, err := model.New(unitConfig(spec, su, *t.MinTW-1)); err != nil || m.Config() != tr.Config {
				return nil, nil, fmt.Errorf("%s: counterexample: not of this unit's configuration at tw=%d", p.ID, *t.MinTW-1)
			}
			r, err := traces.Replay(tr)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: counterexample: %v", p.ID, err)
			}
			th.Counterexample = &verify.Path{Init: r.Init, Steps: r.Steps}
			th.Config = tr.Config
		}
		ths = append(ths, th)
	}
	return rows, ths, nil
}
