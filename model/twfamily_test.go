package model

import (
	"fmt"
	"math/bits"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

type famEdge struct {
	l   Label
	key State
}

// compareFamily explores the union of f's members by key (up to limit
// keys) and checks, at every key and for every member that reaches it, that
// the family's emissions for that member are exactly the member's own
// Successors from the concrete state, in order, with the targets' keys;
// and that Key and Concrete are inverse. It returns the first mismatch, and
// the number of keys that more than one member reached.
func compareFamily(f *TWFamily, limit int) (shared int, err error) {
	type item struct {
		k    State
		mask uint64
	}
	seen := map[State]uint64{}
	var queue []item
	all := ^uint64(0) >> (64 - f.Len())
	for _, k := range f.Init() {
		seen[k] = all
		queue = append(queue, item{k, all})
	}
	for q := 0; q < len(queue) && len(seen) < limit; q++ {
		it := queue[q]
		got := make([][]famEdge, f.Len())
		f.Successors(it.k, it.mask, func(members uint64, _ State, l Label, _ State, key State) {
			if members&^it.mask != 0 {
				err = fmt.Errorf("key %s: emission for members %b outside the asked %b", it.k, members, it.mask)
			}
			for rest := members; rest != 0; rest &= rest - 1 {
				i := bits.TrailingZeros64(rest)
				got[i] = append(got[i], famEdge{l, key})
			}
			if nw := members &^ seen[key]; nw != 0 {
				seen[key] |= nw
				queue = append(queue, item{key, nw})
			}
		})
		if err != nil {
			return shared, err
		}
		for rest := it.mask; rest != 0; rest &= rest - 1 {
			i := bits.TrailingZeros64(rest)
			s := f.Concrete(it.k, i)
			if f.Key(s, i) != it.k {
				return shared, fmt.Errorf("member %d: Key(Concrete(%s)) = %s", i, it.k, f.Key(s, i))
			}
			var want []famEdge
			f.Model(i).Successors(s, func(l Label, n State) { want = append(want, famEdge{l, f.Key(n, i)}) })
			if !slices.Equal(got[i], want) {
				return shared, fmt.Errorf("member %d (tw %d) from %s:\n family %v\n model  %v", i, f.Model(i).Config().TW, s, got[i], want)
			}
		}
	}
	for _, m := range seen {
		if bits.OnesCount64(m) > 1 {
			shared++
		}
	}
	return shared, nil
}

// keyLimit is how many keys of each union compareFamily explores: a
// prefix in breadth-first order under -short, more otherwise.
func keyLimit() int {
	if testing.Short() {
		return 40_000
	}
	return 200_000
}

// TestTWFamilyMatchesMembers checks the family's encoding against each
// member's own model on configurations that reach every TIME-WAIT rule:
// restarts, an RST that ends it, both sides in TIME-WAIT, reopening SYNs,
// tcp_tw_reuse and deliveries-first expiry.
func TestTWFamilyMatchesMembers(t *testing.T) {
	cases := map[string]func(c *Config){
		"default":          func(c *Config) {},
		"deliveries-first": func(c *Config) { c.SameInstant = DeliveriesFirst },
		"inclusive":        func(c *Config) { c.Lifetime = Inclusive },
		"any-close":        func(c *Config) { c.CloseOrder = AnyFirst; c.Incarnations = 1 },
		"rfc6298":          func(c *Config) { c.Rtx = RFC6298 },
		"ack-restart-rst":  func(c *Config) { c.TWRestart = RestartOnACK; c.TWRst = RstClose },
		"fin-timeout":      func(c *Config) { c.FinTimeout = 1 },
		"three-incs":       func(c *Config) { c.Incarnations = 3; c.Dup = 2 },
		"paws":             func(c *Config) { c.Timestamps = true },
		"linux":            func(c *Config) { c.Timestamps, c.TWRules, c.TWSyn, c.TWRst = true, TWRulesLinux, SynLinux, RstClose },
		"rfc1122":          func(c *Config) { c.CloseOrder, c.TWSyn, c.Incarnations = BThenA, SynRFC1122, 3 },
		"rfc6191":          func(c *Config) { c.CloseOrder, c.TWSyn, c.Timestamps = BThenA, SynRFC6191, true },
		"tw-reuse":         func(c *Config) { c.Timestamps, c.TWReuse, c.Incarnations = true, 1, 3 },
		"rtx-rule":         func(c *Config) { c.Rules = &Rules{RTO: func(tries int) int { return 1 + tries }} },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Grid = 2
			f(&cfg)
			fam, err := NewTWFamily(cfg, []int{4, 0, 1, 2, 3})
			require.NoError(t, err)
			shared, err := compareFamily(fam, keyLimit())
			require.NoError(t, err)
			require.Positive(t, shared, "no key reached by two members: the test shows nothing")
		})
	}
}

// TestTWFamilyBrokenEncodingIsCaught shows that compareFamily can fail: a
// family that believes one member's TIME-WAIT is a sub-tick longer than its
// model's encodes that member's TIME-WAIT states wrongly.
func TestTWFamilyBrokenEncodingIsCaught(t *testing.T) {
	fam, err := NewTWFamily(DefaultConfig(), []int{3, 2})
	require.NoError(t, err)
	fam.sub[1]++
	_, err = compareFamily(fam, 40_000)
	require.Error(t, err)
}

func TestNewTWFamilyRefuses(t *testing.T) {
	cfg := DefaultConfig()
	for name, c := range map[string]struct {
		cfg Config
		tws []int
	}{
		"no members":      {cfg, nil},
		"repeated tw":     {cfg, []int{2, 3, 2}},
		"too many":        {cfg, make([]int, MaxFamily+1)},
		"invalid member":  {cfg, []int{2, -1}},
		"rules time-wait": {func() Config { c := cfg; c.Rules = &Rules{TimeWait: func(uint8) int { return 2 }}; return c }(), []int{1, 2}},
		"rules iss": {func() Config {
			c := cfg
			c.Rules = &Rules{ISS: func(s State, side Side) []Seq { return []Seq{Seq(s.Ends[side.Peer()].TW.Due % 8)} }}
			return c
		}(), []int{1, 2}},
		"rules segment": {func() Config {
			c := cfg
			c.Rules = &Rules{Segment: func(Side, Endpoint, Segment) (Reaction, bool) { return Reaction{}, false }}
			return c
		}(), []int{1, 2}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewTWFamily(c.cfg, c.tws)
			require.Error(t, err)
		})
	}
}
