package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// modelFlags holds the flags that set a model configuration.
type modelFlags struct {
	msl, tw                                              *int // nil for sweep, where they are ranges
	rto, backoff, retries, loss, dup, incarnations, grid *int
	finTimeout                                           *int
	seqSpace, window, dataLen, isnClock, isnStart        *int
	twReuse                                              *int
	twSyn, twRules                                       *string
	timestamps, tsCache                                  *bool
	lifetime, sameInstant, closeOrder, twRestart, twRst  *string
	rtx, closeMode, mutant, config                       *string
	dataUnacked, noData, lateFaults                      *bool
	maxStates, workers                                   *int
	memory, store                                        *string
	jsonOut, allowDeadlock, noSymmetry                   *bool
	props                                                *listFlag
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// addModelFlags registers every model parameter; scalar says whether --msl
// and --tw are single values (check) or ranges registered by the caller.
func addModelFlags(fs *flag.FlagSet, scalar bool) *modelFlags {
	d := model.DefaultConfig()
	f := &modelFlags{}
	if scalar {
		f.msl = fs.Int("msl", d.MSL, "maximum segment lifetime, ticks")
		f.tw = fs.Int("tw", d.TW, "TIME-WAIT length, ticks")
	}
	f.rto = fs.Int("rto", 0, "initial retransmission timeout, ticks (0 = equal to MSL)")
	f.backoff = fs.Int("backoff", d.Backoff, "RTO multiplier after each retransmission")
	f.retries = fs.Int("retries", d.Retries, "retransmissions before the sender gives up")
	f.loss = fs.Int("loss", d.Loss, "copies the network may drop")
	f.dup = fs.Int("dup", d.Dup, "copies the network may duplicate")
	f.incarnations = fs.Int("incarnations", d.Incarnations, "connections on the 4-tuple (first + reuses)")
	f.grid = fs.Int("grid", 0, "sub-ticks per tick (0 = the exact grid)")
	f.finTimeout = fs.Int("fin-timeout", d.FinTimeout, "Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 closes silently after this many ticks (0 = never, as in RFC 9293)")
	f.lifetime = fs.String("lifetime", "strict", "strict|inclusive")
	f.sameInstant = fs.String("same-instant", "any-order", "any-order|deliveries-first")
	f.closeOrder = fs.String("close-order", "a-then-b", "a-then-b|a-first|any|b-then-a")
	f.twRestart = fs.String("tw-restart", "fin", "fin|ack")
	f.twRst = fs.String("tw-rst", "ignore", "ignore|close")
	f.rtx = fs.String("rtx", "per-segment", "per-segment|rfc6298")
	f.closeMode = fs.String("close", d.CloseMode.String(), "fin|abort: how A's first incarnation closes (abort: SO_LINGER 0, an RST and CLOSED, no TIME-WAIT)")
	f.mutant = fs.String("mutant", "none", "a deliberately broken rule: "+strings.Join(model.Mutants(), "|"))
	f.dataUnacked = fs.Bool("data-unacked", false, "closes may begin while B's data is unacknowledged")
	f.noData = fs.Bool("no-data", false, "B sends no data: both sides start ESTABLISHED with nothing in flight (with --incarnations 1 and --close-order any, a symmetric configuration)")
	f.lateFaults = fs.Bool("late-faults", false, "offer the network's drops and duplications at every age of a copy (default: only in the instant it was sent, which reaches the same verdicts and shortest traces with fewer transitions)")
	f.seqSpace = fs.Int("seq-space", 0, "sequence-faithful mode: size of the sequence space, 8|16|32|64 (0 = 8)")
	f.window = fs.Int("window", 0, "sequence-faithful mode: receive window RCV.WND, at most a quarter of the space (0 = 2)")
	f.dataLen = fs.Int("data-len", 0, "sequence-faithful mode: octets in B's data segment, 1..3 (0 = 1)")
	f.isnClock = fs.Int("isn-clock", 0, "sequence-faithful mode: ISN clock, sequence numbers per tick (RFC 6528); 0 = the adversary picks every ISS")
	f.isnStart = fs.Int("isn-start", 0, "sequence-faithful mode: the ISN clock's reading when the model starts (the first incarnation used ISS 0)")
	f.timestamps = fs.Bool("timestamps", false, "RFC 7323 timestamps and PAWS, with a clock monotone across incarnations (RFC 6191)")
	f.twSyn = fs.String("tw-syn", "challenge", "what a SYN does to B's TIME-WAIT: challenge|rfc1122|rfc6191|linux")
	f.twRules = fs.String("tw-rules", "rfc", "the TIME-WAIT handler: rfc (RFC 9293 with --tw-restart, --tw-rst) or linux (tcp_timewait_state_process; --tw-rst close = tcp_rfc1337=0)")
	f.twReuse = fs.Int("tw-reuse", 0, "Linux tcp_tw_reuse: A may connect over its TIME-WAIT after this many ticks, with timestamps (0 = off)")
	f.tsCache = fs.Bool("ts-cache", false, "Linux tcp_tw_recycle's per-host timestamp cache (needs --timestamps)")
	f.config = fs.String("config", "", "JSON configuration file (the schema printed in results); flags override it")
	f.maxStates = fs.Int("max-states", 0, "stop a search after this many states (0 = no bound; the fewest-faults and compare searches, which keep full states, then use 70% of available memory)")
	f.workers = fs.Int("workers", 0, "goroutines expanding states (0 = one per core); results are the same for every value")
	f.memory = fs.String("memory", defaultMemory, "bound on the explorer's visited set and level buffers: a size (4GiB, 500MB), a percentage of available memory, or 0 for none; a search that would exceed it stops as incomplete")
	f.store = fs.String("store", "auto", "visited set: exact (full states), fingerprint (64-bit, ~15 bytes/state; omission probability reported), auto (exact up to 1,048,576 states, then fingerprints) or map (full states in Go maps: the slower reference)")
	f.noSymmetry = fs.Bool("no-symmetry", false, "do not reduce the search by the A↔B symmetry of a symmetric configuration (--no-data --incarnations 1 --close-order any): count the whole space")
	f.jsonOut = fs.Bool("json", false, "print JSON")
	f.allowDeadlock = fs.Bool("allow-deadlock", false, "do not report states with no successor as a model error")
	f.props = &listFlag{}
	fs.Var(f.props, "property", "property ID to check (repeatable; default all)")
	return f
}

// parseFlags parses args, rejecting stray arguments, and returns the set of
// flags given explicitly.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (map[string]bool, bool, error) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(stdout)
			fmt.Fprintf(stdout, "usage: timewait %s [flags]\n", fs.Name())
			fs.PrintDefaults()
			return nil, true, nil
		}
		return nil, false, badInput("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return nil, false, badInput("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return set, false, nil
}

// config builds the configuration: defaults, then --config, then the flags
// given explicitly.
func (f *modelFlags) configFrom(set map[string]bool) (model.Config, error) {
	cfg := model.DefaultConfig()
	if *f.config != "" {
		fh, err := os.Open(*f.config)
		if err != nil {
			return cfg, badInput("--config: %v", err)
		}
		defer fh.Close()
		if cfg, err = model.ReadConfig(fh); err != nil {
			return cfg, badInput("--config %s: %v", *f.config, err)
		}
	}
	ints := map[string]struct {
		p   *int
		dst *int
	}{
		"rto": {f.rto, &cfg.RTO}, "backoff": {f.backoff, &cfg.Backoff}, "retries": {f.retries, &cfg.Retries},
		"loss": {f.loss, &cfg.Loss}, "dup": {f.dup, &cfg.Dup}, "incarnations": {f.incarnations, &cfg.Incarnations},
		"grid": {f.grid, &cfg.Grid}, "fin-timeout": {f.finTimeout, &cfg.FinTimeout},
		"seq-space": {f.seqSpace, &cfg.SeqSpace}, "window": {f.window, &cfg.Window}, "data-len": {f.dataLen, &cfg.DataLen},
		"isn-clock": {f.isnClock, &cfg.ISNClock}, "isn-start": {f.isnStart, &cfg.ISNStart}, "tw-reuse": {f.twReuse, &cfg.TWReuse},
	}
	if f.msl != nil {
		ints["msl"] = struct{ p, dst *int }{f.msl, &cfg.MSL}
		ints["tw"] = struct{ p, dst *int }{f.tw, &cfg.TW}
	}
	for name, v := range ints {
		if set[name] {
			*v.dst = *v.p
		}
	}
	var err error
	enums := []struct {
		name  string
		apply func() error
	}{
		{"lifetime", func() error { cfg.Lifetime, err = model.ParseLifetime(*f.lifetime); return err }},
		{"same-instant", func() error { cfg.SameInstant, err = model.ParseSameInstant(*f.sameInstant); return err }},
		{"close-order", func() error { cfg.CloseOrder, err = model.ParseCloseOrder(*f.closeOrder); return err }},
		{"tw-restart", func() error { cfg.TWRestart, err = model.ParseTWRestart(*f.twRestart); return err }},
		{"tw-rst", func() error { cfg.TWRst, err = model.ParseTWRst(*f.twRst); return err }},
		{"rtx", func() error { cfg.Rtx, err = model.ParseRtxRule(*f.rtx); return err }},
		{"close", func() error { cfg.CloseMode, err = model.ParseCloseMode(*f.closeMode); return err }},
		{"mutant", func() error { cfg.Mutant, err = model.ParseMutant(*f.mutant); return err }},
		{"tw-syn", func() error { cfg.TWSyn, err = model.ParseTWSyn(*f.twSyn); return err }},
		{"tw-rules", func() error { cfg.TWRules, err = model.ParseTWRules(*f.twRules); return err }},
	}
	for _, e := range enums {
		if set[e.name] {
			if err := e.apply(); err != nil {
				return cfg, badInput("--%s: %v", e.name, err)
			}
		}
	}
	if set["data-unacked"] {
		cfg.DataUnacked = *f.dataUnacked
	}
	if set["no-data"] {
		cfg.NoData = *f.noData
	}
	if set["late-faults"] {
		cfg.LateFaults = *f.lateFaults
	}
	if set["timestamps"] {
		cfg.Timestamps = *f.timestamps
	}
	if set["ts-cache"] {
		cfg.TSCache = *f.tsCache
	}
	if *f.maxStates < 0 {
		return cfg, badInput("--max-states must be ≥ 0, got %d", *f.maxStates)
	}
	return cfg, nil
}

// properties returns the requested properties (default: all safety
// properties; their witnesses are checked alongside).
func (f *modelFlags) properties() ([]properties.Property, error) {
	if len(*f.props) == 0 {
		return properties.Safety(), nil
	}
	ps, err := properties.Lookup(*f.props)
	if err != nil {
		return nil, badInput("--property: %v", err)
	}
	return ps, nil
}
