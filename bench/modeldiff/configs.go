package main

import nm "modeldiff/newmodel"

// job is one configuration to compare. The configuration is built in the
// new package's types and carried to the old package through the model's
// own JSON form (checked field by field afterwards); Rules, which JSON does
// not carry, are named and built by DiffRules in each package.
type job struct {
	name   string
	cfg    nm.Config
	rules  string // an DiffRules set, or ""
	family []int  // non-nil: compare TWFamily over these TWs instead
	digest bool   // compare RulesDigest(DiffRules(rules)) only
}

// def returns the default configuration edited by f.
func def(f func(c *nm.Config)) nm.Config {
	c := nm.DefaultConfig()
	f(&c)
	return c
}

// linux sets the linux variant (variants/variants.go).
func linux(c *nm.Config) {
	c.TW, c.RTO, c.Backoff = 2, 1, 1
	c.TWRules, c.TWSyn, c.Timestamps = nm.TWRulesLinux, nm.SynLinux, true
	c.TWRst = nm.RstClose
}

// jobs lists the configurations compared, in order: each option and
// convention of the model, the variants, the mutants, rule overrides, TW
// families and RulesDigest.
func jobs() []job {
	j := []job{
		// MSL, TW (below, at, above 2·MSL), budgets, incarnations
		{name: "default msl1 tw2 L1 D1 I2", cfg: def(func(c *nm.Config) {})},
		{name: "msl1 tw0", cfg: def(func(c *nm.Config) { c.TW = 0 })},
		{name: "msl1 tw1 (<2msl)", cfg: def(func(c *nm.Config) { c.TW = 1 })},
		{name: "msl1 tw3 (>2msl)", cfg: def(func(c *nm.Config) { c.TW = 3 })},
		{name: "msl1 tw5 L0 D0", cfg: def(func(c *nm.Config) { c.TW, c.Loss, c.Dup = 5, 0, 0 })},
		{name: "msl2 tw4", cfg: def(func(c *nm.Config) { c.MSL, c.TW = 2, 4 })},
		{name: "msl2 tw3 (<2msl)", cfg: def(func(c *nm.Config) { c.MSL, c.TW = 2, 3 })},
		{name: "msl2 tw6 L0 D0 I3", cfg: def(func(c *nm.Config) { c.MSL, c.TW, c.Loss, c.Dup, c.Incarnations = 2, 6, 0, 0, 3 })},
		{name: "msl2 tw1 L1 D0 inclusive", cfg: def(func(c *nm.Config) { c.MSL, c.TW, c.Dup, c.Lifetime = 2, 1, 0, nm.Inclusive })},
		{name: "msl1 L2 D0", cfg: def(func(c *nm.Config) { c.Loss, c.Dup = 2, 0 })},
		{name: "msl1 L0 D2", cfg: def(func(c *nm.Config) { c.Loss, c.Dup = 0, 2 })},
		{name: "msl1 L2 D2", cfg: def(func(c *nm.Config) { c.Loss, c.Dup = 2, 2 })},
		{name: "msl1 L0 D0 I1", cfg: def(func(c *nm.Config) { c.Loss, c.Dup, c.Incarnations = 0, 0, 1 })},
		{name: "I1", cfg: def(func(c *nm.Config) { c.Incarnations = 1 })},
		{name: "I3 D2", cfg: def(func(c *nm.Config) { c.Incarnations, c.Dup = 3, 2 })},
		{name: "dup8 L0 msl3 tw6 incl a-first (overflow)", cfg: def(func(c *nm.Config) {
			c.Dup, c.Loss, c.DataUnacked, c.MSL, c.TW, c.Lifetime, c.CloseOrder = 8, 0, true, 3, 6, nm.Inclusive, nm.AFirst
		})},
		// time conventions
		{name: "inclusive (grid 1)", cfg: def(func(c *nm.Config) { c.Lifetime = nm.Inclusive })},
		{name: "strict grid 3", cfg: def(func(c *nm.Config) { c.Grid = 3 })},
		{name: "inclusive grid 2 msl2 tw3", cfg: def(func(c *nm.Config) { c.Lifetime, c.Grid, c.MSL, c.TW = nm.Inclusive, 2, 2, 3 })},
		{name: "deliveries-first", cfg: def(func(c *nm.Config) { c.SameInstant = nm.DeliveriesFirst })},
		{name: "deliveries-first inclusive msl2 tw4", cfg: def(func(c *nm.Config) {
			c.SameInstant, c.Lifetime, c.MSL, c.TW = nm.DeliveriesFirst, nm.Inclusive, 2, 4
		})},
		// close orders and modes
		{name: "close a-first", cfg: def(func(c *nm.Config) { c.CloseOrder = nm.AFirst })},
		{name: "close any", cfg: def(func(c *nm.Config) { c.CloseOrder = nm.AnyFirst })},
		{name: "close b-then-a", cfg: def(func(c *nm.Config) { c.CloseOrder = nm.BThenA })},
		{name: "so-linger-zero (abort)", cfg: def(func(c *nm.Config) { c.CloseMode = nm.CloseAbort })},
		{name: "abort + close any + data-unacked", cfg: def(func(c *nm.Config) { c.CloseMode, c.CloseOrder, c.DataUnacked = nm.CloseAbort, nm.AnyFirst, true })},
		{name: "data-unacked L2", cfg: def(func(c *nm.Config) { c.DataUnacked, c.Loss = true, 2 })},
		// TIME-WAIT rules (rfc1337 = default, rfc793)
		{name: "rfc793 (tw-rst close)", cfg: def(func(c *nm.Config) { c.TWRst = nm.RstClose })},
		{name: "tw-restart ack", cfg: def(func(c *nm.Config) { c.TWRestart = nm.RestartOnACK })},
		{name: "tw-restart ack + tw-rst close + any", cfg: def(func(c *nm.Config) {
			c.TWRestart, c.TWRst, c.CloseOrder = nm.RestartOnACK, nm.RstClose, nm.AnyFirst
		})},
		{name: "fin-timeout 2msl", cfg: def(func(c *nm.Config) { c.FinTimeout = 2 })},
		{name: "fin-timeout 1 tw0 close any", cfg: def(func(c *nm.Config) { c.FinTimeout, c.TW, c.CloseOrder = 1, 0, nm.AnyFirst })},
		// retransmission
		{name: "rtx rfc6298", cfg: def(func(c *nm.Config) { c.Rtx = nm.RFC6298 })},
		{name: "rtx rfc6298 data-unacked", cfg: def(func(c *nm.Config) { c.Rtx, c.DataUnacked = nm.RFC6298, true })},
		{name: "rto2 backoff1 retries1", cfg: def(func(c *nm.Config) { c.RTO, c.Backoff, c.Retries = 2, 1, 1 })},
		{name: "retries0 L2", cfg: def(func(c *nm.Config) { c.Retries, c.Loss = 0, 2 })},
		// mutants
		{name: "mutant time-wait-ignores-fin", cfg: def(func(c *nm.Config) { c.Mutant = nm.MutTimeWaitIgnoresFIN })},
		{name: "mutant connect-in-time-wait", cfg: def(func(c *nm.Config) { c.Mutant = nm.MutConnectInTimeWait })},
		{name: "mutant time-wait-acks-rst", cfg: def(func(c *nm.Config) { c.Mutant = nm.MutTimeWaitAcksRST })},
		{name: "mutant acks-rst + rfc793 + ack-restart", cfg: def(func(c *nm.Config) {
			c.Mutant, c.TWRst, c.TWRestart = nm.MutTimeWaitAcksRST, nm.RstClose, nm.RestartOnACK
		})},
		// timestamps / RFC 6191 / RFC 1122
		{name: "paws (timestamps)", cfg: def(func(c *nm.Config) { c.Timestamps = true })},
		{name: "paws msl2 tw2 D0", cfg: def(func(c *nm.Config) { c.Timestamps, c.MSL, c.TW, c.Dup = true, 2, 2, 0 })},
		{name: "rfc6191 (b-then-a, ts)", cfg: def(func(c *nm.Config) { c.CloseOrder, c.TWSyn, c.Timestamps, c.Dup = nm.BThenA, nm.SynRFC6191, true, 0 })},
		{name: "rfc6191 seq16 no ts", cfg: def(func(c *nm.Config) { c.CloseOrder, c.TWSyn, c.SeqSpace = nm.BThenA, nm.SynRFC6191, 16 })},
		{name: "rfc1122-syn-in-timewait I3", cfg: def(func(c *nm.Config) { c.CloseOrder, c.TWSyn, c.Incarnations = nm.BThenA, nm.SynRFC1122, 3 })},
		// an old duplicate SYN reopens TIME-WAIT, the RST to its SYN-ACK
		// returns there (model/faithful_test.go, "rfc1122 return")
		{name: "rfc1122 return: msl2 tw4 rto1 retries0 I3 L0 D0", cfg: def(func(c *nm.Config) {
			c.CloseOrder, c.TWSyn, c.Incarnations, c.MSL, c.TW, c.RTO, c.Retries, c.Loss, c.Dup = nm.BThenA, nm.SynRFC1122, 3, 2, 4, 1, 0, 0, 0
		})},
		{name: "rfc1122 seq16 isn-clock 1", cfg: def(func(c *nm.Config) { c.CloseOrder, c.TWSyn, c.SeqSpace, c.ISNClock = nm.BThenA, nm.SynRFC1122, 16, 1 })},
		// Linux
		{name: "linux", cfg: def(func(c *nm.Config) { linux(c); c.Dup = 0 })},
		{name: "linux D1", cfg: def(linux)},
		{name: "linux-rfc1337", cfg: def(func(c *nm.Config) { linux(c); c.TWRst, c.Dup = nm.RstIgnore, 0 })},
		{name: "linux-tw-reuse I3", cfg: def(func(c *nm.Config) { linux(c); c.TWReuse, c.Dup, c.Incarnations = 1, 0, 3 })},
		{name: "linux-tw-recycle (ts-cache)", cfg: def(func(c *nm.Config) { linux(c); c.TW, c.TSCache, c.Dup = 1, true, 0 })},
		{name: "linux syn, b-then-a", cfg: def(func(c *nm.Config) {
			c.CloseOrder, c.TWSyn, c.Timestamps, c.TWRules = nm.BThenA, nm.SynLinux, true, nm.TWRulesLinux
		})},
		{name: "linux rules, tw-restart ack, fin-timeout", cfg: def(func(c *nm.Config) {
			c.TWRules, c.TWRestart, c.FinTimeout, c.CloseOrder = nm.TWRulesLinux, nm.RestartOnACK, 2, nm.AnyFirst
		})},
		{name: "tw-reuse 1 tw4 (ts)", cfg: def(func(c *nm.Config) { c.Timestamps, c.TWReuse, c.TW = true, 1, 4 })},
		{name: "tw-reuse 2 ts-cache tw3", cfg: def(func(c *nm.Config) { c.Timestamps, c.TWReuse, c.TSCache, c.TW, c.Incarnations = true, 2, true, 3, 3 })},
		// the sequence-faithful mode
		{name: "seq16 isn-clock3 start5 data2 I3", cfg: def(func(c *nm.Config) { c.SeqSpace, c.ISNClock, c.ISNStart, c.DataLen, c.Incarnations = 16, 3, 5, 2, 3 })},
		{name: "seq64 window3 data3 tw0", cfg: def(func(c *nm.Config) { c.SeqSpace, c.Window, c.DataLen, c.TW = 64, 3, 3, 0 })},
		{name: "seq32 isn-clock2 grid4 start31", cfg: def(func(c *nm.Config) { c.SeqSpace, c.ISNClock, c.Grid, c.ISNStart = 32, 2, 4, 31 })},
		{name: "seq16 window1 inclusive", cfg: def(func(c *nm.Config) { c.SeqSpace, c.Window, c.Lifetime = 16, 1, nm.Inclusive })},
		{name: "seq16 ts isn-clock1 deliveries-first", cfg: def(func(c *nm.Config) {
			c.SeqSpace, c.Timestamps, c.ISNClock, c.SameInstant = 16, true, 1, nm.DeliveriesFirst
		})},
		// no data (Config.NoData, from 72b6426): symmetric, and not
		{name: "no-data symmetric msl2 tw3 L2", cfg: def(func(c *nm.Config) {
			c.NoData, c.Incarnations, c.CloseOrder, c.MSL, c.TW, c.Loss = true, 1, nm.AnyFirst, 2, 3, 2
		})},
		{name: "no-data a-then-b I2 ts", cfg: def(func(c *nm.Config) { c.NoData, c.Timestamps, c.TWSyn = true, true, nm.SynRFC6191 })},
		// rule overrides (Config.Rules)
		{name: "rules timers (TW=inc, RTO=1+tries)", cfg: def(func(c *nm.Config) {}), rules: "timers"},
		{name: "rules segment", cfg: def(func(c *nm.Config) {}), rules: "segment"},
		{name: "rules segment + b-then-a I3", cfg: def(func(c *nm.Config) { c.CloseOrder, c.Incarnations = nm.BThenA, 3 }), rules: "segment"},
		{name: "rules iss", cfg: def(func(c *nm.Config) {}), rules: "iss"},
		{name: "rules bad-iss", cfg: def(func(c *nm.Config) { c.Incarnations = 3 }), rules: "bad-iss"},
		{name: "rules all + ts", cfg: def(func(c *nm.Config) { c.Timestamps = true }), rules: "all"},
		// TIME-WAIT families (TWFamily over Successors/Key/Concrete/Hash)
		{name: "family default tw 0..5", cfg: def(func(c *nm.Config) {}), family: []int{0, 1, 2, 3, 4, 5}},
		{name: "family b-then-a ts tw 0..3", cfg: def(func(c *nm.Config) { c.CloseOrder, c.Timestamps, c.Dup = nm.BThenA, true, 0 }), family: []int{3, 0, 2, 1}},
		{name: "family fin-timeout rfc793 tw 0..4", cfg: def(func(c *nm.Config) { c.FinTimeout, c.TWRst = 2, nm.RstClose }), family: []int{0, 1, 2, 3, 4}},
		// RulesDigest (explores 200,000 states of each model internally)
		{name: "RulesDigest segment", digest: true, rules: "segment"},
		{name: "RulesDigest all", digest: true, rules: "all"},
	}
	return j
}

// invalidConfigs must be refused by New; both models must give the same
// error text.
func invalidConfigs() []nm.Config {
	return []nm.Config{
		def(func(c *nm.Config) { c.MSL = 0 }),
		def(func(c *nm.Config) { c.TW = 241 }),
		def(func(c *nm.Config) { c.Incarnations = 8 }),
		def(func(c *nm.Config) { c.TWReuse = 1 }),
		def(func(c *nm.Config) { c.TSCache = true }),
		def(func(c *nm.Config) { c.SeqSpace = 12 }),
		def(func(c *nm.Config) { c.ISNStart = 3 }),
		def(func(c *nm.Config) { c.SeqSpace, c.Window = 16, 5 }),
		def(func(c *nm.Config) { c.DataLen = 3 }),
		def(func(c *nm.Config) { c.SameInstant, c.Grid = nm.DeliveriesFirst, 1 }),
		def(func(c *nm.Config) { c.MSL, c.Grid = 60, 8 }),
		def(func(c *nm.Config) { c.Mutant = 9 }),
		def(func(c *nm.Config) { c.ISNClock, c.Grid = 4, 2 }),
		def(func(c *nm.Config) { c.RTO, c.Retries, c.Backoff = 60, 6, 4 }),
	}
}
