package model

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSuccessorsMatchStep checks the explorer's fast Successors against the
// definition: every candidate action of forEachAction passed through Step,
// in the same order, with the same labels and states, on every state of
// small configurations that together reach every rule and convention.
func TestSuccessorsMatchStep(t *testing.T) {
	base := DefaultConfig()
	for name, f := range successorCases() {
		t.Run(name, func(t *testing.T) {
			cfg := base
			f(&cfg)
			m, err := New(cfg)
			require.NoError(t, err)
			seen := map[State]bool{}
			queue := m.Init()
			for _, s := range queue {
				seen[s] = true
			}
			transitions := 0
			for len(queue) > 0 && len(seen) < 40000 {
				s := queue[0]
				queue = queue[1:]
				type em struct {
					l Label
					s State
				}
				var fast, slow []em
				m.Successors(s, func(l Label, n State) { fast = append(fast, em{l, n}) })
				m.forEachAction(s, func(a Action) {
					if n, l, ok := m.Step(s, a); ok {
						slow = append(slow, em{l, n})
					}
				})
				require.Equal(t, slow, fast, "state %s", s)
				transitions += len(fast)
				for _, e := range fast {
					if !seen[e.s] {
						seen[e.s] = true
						queue = append(queue, e.s)
					}
				}
			}
			if name == "rules-bad-iss" {
				require.Greater(t, transitions, 100)
				return
			}
			require.Greater(t, transitions, 1000)
		})
	}
}

// successorCases are small configurations (edits of DefaultConfig) that
// together reach every rule and convention.
func successorCases() map[string]func(c *Config) {
	return map[string]func(c *Config){
		"default":          func(c *Config) {},
		"late-faults":      func(c *Config) { c.LateFaults = true; c.Loss, c.Dup = 2, 2 },
		"deliveries-first": func(c *Config) { c.SameInstant = DeliveriesFirst },
		"inclusive":        func(c *Config) { c.Lifetime = Inclusive },
		"any-close":        func(c *Config) { c.CloseOrder = AnyFirst; c.Incarnations = 1 },
		"a-first":          func(c *Config) { c.CloseOrder = AFirst },
		"rfc6298":          func(c *Config) { c.Rtx = RFC6298 },
		"ack-restart-rst":  func(c *Config) { c.TWRestart = RestartOnACK; c.TWRst = RstClose },
		"abort":            func(c *Config) { c.CloseMode = CloseAbort },
		"fin-timeout":      func(c *Config) { c.FinTimeout = 1; c.TW = 0 },
		"data-unacked":     func(c *Config) { c.DataUnacked = true; c.Loss = 2 },
		"connect-in-tw":    func(c *Config) { c.Mutant = MutConnectInTimeWait },
		"three-incs":       func(c *Config) { c.Incarnations = 3; c.Dup = 2 },
		"rules": func(c *Config) {
			c.Rules = &Rules{
				Segment: func(_ Side, e Endpoint, g Segment) (Reaction, bool) {
					if e.St == TimeWait && g.Flags.Has(RST) && g.Seq == e.RcvNxt {
						return Reaction{Endpoint: e.Closed(), Note: "exact RST"}, true
					}
					return Reaction{}, false
				},
				ISS:      func(s State, side Side) []Seq { return []Seq{Seq(s.Net.Len() % 3), 5} },
				TimeWait: func(inc uint8) int { return int(inc) },
				RTO:      func(tries int) int { return 1 + tries },
			}
		},
		"seq16-clock": func(c *Config) { c.SeqSpace, c.ISNClock, c.ISNStart, c.DataLen, c.Incarnations = 16, 3, 5, 2, 3 },
		"window-64":   func(c *Config) { c.SeqSpace, c.Window, c.DataLen = 64, 3, 3 },
		"paws":        func(c *Config) { c.Timestamps = true },
		"linux": func(c *Config) {
			c.Timestamps, c.TWRules, c.TWSyn, c.TWRst, c.TW = true, TWRulesLinux, SynLinux, RstClose, 4
		},
		"rfc1122":  func(c *Config) { c.CloseOrder, c.TWSyn, c.Incarnations = BThenA, SynRFC1122, 3 },
		"rfc6191":  func(c *Config) { c.CloseOrder, c.TWSyn, c.Timestamps = BThenA, SynRFC6191, true },
		"linux-b":  func(c *Config) { c.CloseOrder, c.TWSyn, c.Timestamps, c.TWRules = BThenA, SynLinux, true, TWRulesLinux },
		"tw-reuse": func(c *Config) { c.Timestamps, c.TWReuse, c.TW, c.Incarnations = true, 1, 3, 3 },
		"ts-cache": func(c *Config) { c.Timestamps, c.TSCache, c.TW = true, true, 1 },
		"rules-bad-iss": func(c *Config) {
			c.Rules = &Rules{ISS: func(s State, side Side) []Seq { return []Seq{2, SeqSpace} }}
		},
	}
}

// TestISSRuleSeesTheOfferingState checks that an ISS rule is asked about
// the state that offers the delivery of a SYN to LISTEN (the SYN still in
// flight), both when successors are listed and when Step checks the choice:
// otherwise a rule that looks at the network rejects its own choices.
func TestISSRuleSeesTheOfferingState(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Rules = &Rules{ISS: func(s State, _ Side) []Seq { return []Seq{Seq(s.Net.Len() % SeqSpace)} }}
	m, err := New(cfg)
	require.NoError(t, err)
	seen := map[State]bool{}
	queue := m.Init()
	reopened := false
	for len(queue) > 0 && len(seen) < 50000 {
		s := queue[0]
		queue = queue[1:]
		m.Successors(s, func(l Label, n State) {
			if l.Action.Kind == ActDeliver && s.Ends[B].St == Listen && n.Ends[B].St == SynReceived && n.Ends[B].Inc == 2 {
				reopened = true
				require.Equal(t, Seq(s.Net.Len()%SeqSpace), n.Ends[B].ISS)
			}
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		})
	}
	require.True(t, reopened, "B must accept the second incarnation's SYN with the ISS the rule lists")
}

// TestHashSeparatesTimers checks that the hash packs every timer field
// without overlap: states that differ in one timer field hash differently.
func TestHashSeparatesTimers(t *testing.T) {
	m, err := New(DefaultConfig())
	require.NoError(t, err)
	base := m.Init()[0]
	seen := map[uint64]string{m.Hash(base): "base"}
	for side := A; side <= B; side++ {
		for k := 0; k < 2; k++ {
			for _, tm := range []Timer{{On: true}, {On: true, Tries: 1}, {On: true, Tries: 8}, {On: true, Due: 1}, {On: true, Due: 255, Tries: 255}} {
				s := base
				s.Ends[side].Rtx[k] = tm
				name := fmt.Sprintf("side %v rtx%d %+v", side, k, tm)
				h := m.Hash(s)
				if prev, ok := seen[h]; ok && s != base {
					t.Fatalf("%s hashes like %s", name, prev)
				}
				seen[h] = name
			}
		}
	}
}

// TestEarlyFaultsKeepStatesAndDepths checks the claim behind Successors'
// fault timing (Config.LateFaults, docs/model.md "Fault timing"): offering
// drops and duplications only at age 0 leaves the reachable states and
// each one's depth (the fewest steps to it) unchanged, on the whole state
// space of configurations of successorCases with the fault budgets given.
// It also requires the reduction to remove transitions, and the unreduced
// search to drop and duplicate copies at later ages.
//
// Equality holds where no canonical form reads the network. Where one
// does (the ISS choice when a sequence space is free, timestamps), the
// reduced search may reach a rotated or canonicalised twin of a state
// instead, in as many steps; the other configurations are checked there
// by verify.TestEarlyFaultsMatchLate (verdicts and shortest lengths).
func TestEarlyFaultsKeepStatesAndDepths(t *testing.T) {
	cases := []struct {
		name      string
		loss, dup int
	}{
		{"default", 2, 2}, {"deliveries-first", 2, 2}, {"rfc6298", 2, 2}, {"any-close", 2, 2},
		{"data-unacked", 1, 1}, {"three-incs", 1, 1}, {"seq16-clock", 1, 1}, {"window-64", 1, 1},
	}
	edits := successorCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name != "default" {
				t.Skip("-short: the default configuration only")
			}
			cfg := DefaultConfig()
			edits[tc.name](&cfg)
			cfg.Loss, cfg.Dup = tc.loss, tc.dup
			depths := func(late bool) (map[State]int, int, int) {
				c := cfg
				c.LateFaults = late
				m, err := New(c)
				require.NoError(t, err)
				depth := map[State]int{}
				queue := m.Init()
				for _, s := range queue {
					depth[s] = 0
				}
				transitions, laterFaults := 0, 0
				for i := 0; i < len(queue); i++ {
					s := queue[i]
					m.Successors(s, func(l Label, n State) {
						transitions++
						if k := l.Action.Kind; (k == ActDrop || k == ActDuplicate) && l.Action.Seg.Age > 0 {
							laterFaults++
						}
						if _, ok := depth[n]; !ok {
							depth[n] = depth[s] + 1
							queue = append(queue, n)
						}
					})
				}
				return depth, transitions, laterFaults
			}
			early, et, el := depths(false)
			late, lt, ll := depths(true)
			require.Zero(t, el, "a drop or duplication after age 0 without LateFaults")
			require.Positive(t, ll, "the unreduced search must drop or duplicate copies after age 0")
			require.Less(t, et, lt)
			require.Equal(t, len(late), len(early), "states")
			for s, d := range late {
				e, ok := early[s]
				require.True(t, ok, "state %s is reachable only with late faults", s)
				require.Equal(t, d, e, "depth of %s", s)
			}
			t.Logf("%d states; %d transitions, %d with late faults", len(early), et, lt)
		})
	}
}
