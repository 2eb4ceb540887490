package model

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// walk draws a random run of up to n steps from the initial state.
func walk(t *rapid.T, m *Model, n int) []State {
	s := m.Init()[0]
	out := []State{s}
	for i := 0; i < n; i++ {
		acts := m.Actions(s)
		if len(acts) == 0 {
			break
		}
		a := rapid.SampledFrom(acts).Draw(t, "action")
		next, _, ok := m.Step(s, a)
		require.True(t, ok, "Actions listed %s but Step refused it", a)
		s = next
		out = append(out, s)
	}
	return out
}

func genConfig(t *rapid.T) Config {
	c := DefaultConfig()
	c.MSL = rapid.IntRange(1, 3).Draw(t, "msl")
	c.TW = rapid.IntRange(0, 4*c.MSL+1).Draw(t, "tw")
	c.Loss = rapid.IntRange(0, 2).Draw(t, "loss")
	c.Dup = rapid.IntRange(0, 2).Draw(t, "dup")
	c.Lifetime = Lifetime(rapid.IntRange(0, 1).Draw(t, "lifetime"))
	c.SameInstant = SameInstant(rapid.IntRange(0, 1).Draw(t, "same"))
	c.CloseOrder = CloseOrder(rapid.IntRange(0, 2).Draw(t, "order"))
	c.TWRestart = TWRestart(rapid.IntRange(0, 1).Draw(t, "restart"))
	c.TWRst = TWRst(rapid.IntRange(0, 1).Draw(t, "rst"))
	c.Rtx = RtxRule(rapid.IntRange(0, 1).Draw(t, "rtx"))
	c.DataUnacked = rapid.Bool().Draw(t, "unacked")
	c.NoData = !c.DataUnacked && rapid.Bool().Draw(t, "no-data")
	c.LateFaults = rapid.Bool().Draw(t, "late-faults")
	c.CloseMode = CloseMode(rapid.IntRange(0, 1).Draw(t, "close"))
	c.FinTimeout = rapid.IntRange(0, 4*c.MSL+1).Draw(t, "fin-timeout")
	return c
}

// TestWalkInvariants walks random configurations and checks, at every state:
// the network is canonical, Successors is deterministic and agrees with
// Actions/Step, no copy outlives its lifetime, a state with tick disabled has
// an urgent action enabled, and the fault budgets never grow.
func TestWalkInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m, err := New(genConfig(t))
		require.NoError(t, err)
		states := walk(t, m, 60)
		for i, s := range states {
			require.True(t, s.Net.sorted(), "network not canonical: %s", s)
			require.LessOrEqual(t, s.Net.maxAge(), m.ageLimit, "copy older than its lifetime: %s", s)
			var l1, l2 []string
			m.Successors(s, func(l Label, n State) { l1 = append(l1, l.String()+"|"+n.String()) })
			m.Successors(s, func(l Label, n State) { l2 = append(l2, l.String()+"|"+n.String()) })
			require.Equal(t, l1, l2, "Successors is not deterministic")
			require.Len(t, l1, len(m.Actions(s)))
			require.NotEmpty(t, l1, "deadlock: %s", s)
			if i > 0 {
				require.LessOrEqual(t, s.LossLeft, states[i-1].LossLeft)
				require.LessOrEqual(t, s.DupLeft, states[i-1].DupLeft)
			}
		}
	})
}

// TestNetworkCanonical: any order of sends yields the same network.
func TestNetworkCanonical(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		segs := rapid.SliceOfN(genSegment(), 0, MaxInFlight).Draw(t, "segs")
		perm := rapid.Permutation(segs).Draw(t, "perm")
		var a, b Network
		for i := range segs {
			var ok bool
			a, ok = a.add(segs[i])
			require.True(t, ok)
			b, _ = b.add(perm[i])
		}
		require.Equal(t, a, b)
		require.True(t, a.sorted())
		if a.Len() > 0 {
			i := rapid.IntRange(0, a.Len()-1).Draw(t, "remove")
			require.True(t, a.remove(i).sorted())
		}
	})
}

func TestNetworkOverflowIsReported(t *testing.T) {
	var n Network
	for i := 0; i < MaxInFlight; i++ {
		var ok bool
		n, ok = n.add(Segment{Seq: Seq(i % SeqSpace)})
		require.True(t, ok)
	}
	_, ok := n.add(Segment{})
	require.False(t, ok)
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		edit func(*Config)
		err  string
	}{
		{func(c *Config) { c.MSL = 0 }, "msl"},
		{func(c *Config) { c.TW = -1 }, "tw"},
		{func(c *Config) { c.Backoff = 0 }, "backoff"},
		{func(c *Config) { c.Loss = -1 }, "loss"},
		{func(c *Config) { c.Incarnations = 0 }, "incarnations"},
		{func(c *Config) { c.Grid = 9 }, "grid"},
		{func(c *Config) { c.Lifetime = 7 }, "lifetime"},
		{func(c *Config) { c.Grid, c.MSL, c.SameInstant = 1, 1, DeliveriesFirst }, "grid·msl"},
		{func(c *Config) { c.MSL, c.Retries, c.Backoff = 40, 6, 4 }, "retransmission interval"},
		{func(c *Config) { c.FinTimeout = -1 }, "fin-timeout must be 0..240"},
		{func(c *Config) { c.FinTimeout = MaxTicks*4 + 1 }, "fin-timeout must be 0..240"},
		{func(c *Config) { c.FinTimeout, c.Grid = MaxTicks*4, 2 }, "fin-timeout·grid = 480"},
		{func(c *Config) { c.CloseMode = 2 }, "invalid close value 2"},
		{func(c *Config) { c.NoData, c.DataLen = true, 2 }, "no-data excludes data-len (got 2)"},
		{func(c *Config) { c.NoData, c.DataUnacked = true, true }, "data-unacked needs data"},
	} {
		cfg := DefaultConfig()
		c.edit(&cfg)
		err := cfg.Validate()
		require.Error(t, err)
		require.Contains(t, err.Error(), c.err)
	}
	require.NoError(t, DefaultConfig().Validate())
	ok := DefaultConfig()
	ok.FinTimeout, ok.CloseMode = 125, CloseAbort // 125·2 = 250 sub-ticks: the largest 8-bit countdown allowed
	require.NoError(t, ok.Validate())
}

func TestConfigJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genConfig(t)
		data, err := c.MarshalJSON()
		require.NoError(t, err)
		back, err := ReadConfig(strings.NewReader(string(data)))
		require.NoError(t, err)
		require.Equal(t, c, back)
	})
	for _, bad := range []string{`{"msl": 0}`, `{"mls": 2}`, `{"lifetime": "loose"}`, `{"msl": 2`, `[]`, `{"msl": "2"}`, `{} {}`} {
		_, err := ReadConfig(strings.NewReader(bad))
		require.Error(t, err, bad)
		require.NotContains(t, err.Error(), "\n")
	}
	c, err := ReadConfig(strings.NewReader(`{"msl": 3, "tw_restart": "ack"}`))
	require.NoError(t, err)
	require.Equal(t, 3, c.MSL)
	require.Equal(t, RestartOnACK, c.TWRestart)
	require.Equal(t, DefaultConfig().Loss, c.Loss, "absent fields keep their defaults")

	c, err = ReadConfig(strings.NewReader(`{"close_mode": "abort", "fin_timeout": 3}`))
	require.NoError(t, err)
	require.Equal(t, CloseAbort, c.CloseMode)
	require.Equal(t, 3, c.FinTimeout)
	_, err = ReadConfig(strings.NewReader(`{"close_mode": "linger"}`))
	require.EqualError(t, err, `close_mode: unknown close mode "linger" (want one of: fin, abort)`)
	_, err = ReadConfig(strings.NewReader(`{"fin_timeout": 241}`))
	require.ErrorContains(t, err, "fin-timeout must be 0..240 ticks")

	// The defaults spell the two later options out, so that written
	// configurations always carry them.
	data, err := DefaultConfig().MarshalJSON()
	require.NoError(t, err)
	require.Contains(t, string(data), `"fin_timeout":0`)
	require.Contains(t, string(data), `"close_mode":"fin"`)
}
