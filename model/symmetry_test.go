package model

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// symmetricConfigs are small symmetric configurations, one per option that
// Config.Symmetric lets vary.
func symmetricConfigs() map[string]Config {
	base := DefaultConfig()
	base.NoData, base.Incarnations, base.CloseOrder = true, 1, AnyFirst
	out := map[string]Config{"base": base}
	add := func(name string, edit func(*Config)) {
		c := base
		edit(&c)
		out[name] = c
	}
	add("msl2-loss2", func(c *Config) { c.MSL, c.TW, c.Loss, c.Dup = 2, 4, 2, 0 })
	add("inclusive", func(c *Config) { c.Lifetime = Inclusive })
	add("deliveries-first", func(c *Config) { c.SameInstant = DeliveriesFirst })
	add("restart-ack-rst-close", func(c *Config) { c.TWRestart, c.TWRst = RestartOnACK, RstClose })
	add("rfc6298", func(c *Config) { c.Rtx, c.Retries = RFC6298, 2 })
	add("fin-timeout", func(c *Config) { c.FinTimeout = 2 })
	add("timestamps", func(c *Config) { c.Timestamps, c.TWSyn = true, SynRFC6191 })
	add("isn-clock", func(c *Config) { c.ISNClock, c.ISNStart, c.SeqSpace = 2, 3, 16 })
	add("linux", func(c *Config) { c.TWRules, c.TWRst, c.Timestamps = TWRulesLinux, RstClose, true })
	add("tw0", func(c *Config) { c.TW = 0 })
	for _, name := range Mutants() {
		mu, err := ParseMutant(name)
		if err != nil {
			panic(err)
		}
		add("mutant-"+name, func(c *Config) { c.Mutant = mu })
	}
	return out
}

type edge struct {
	l Label
	s State
}

// checkAutomorphism explores m's reachable states (up to limit) and checks
// that mirror is an automorphism of m with MirrorLabel labels: it fixes the
// initial state, and at every state s the transitions of mirror(s) are
// exactly the mirrored transitions of s (as multisets). It also checks that
// Canonical picks one of s and Mirror(s), the same one for both. It
// returns the first mismatch and the number of states explored.
func checkAutomorphism(m *Model, mirror func(State) State, limit int) (int, error) {
	init := m.Init()[0]
	if mirror(init) != init {
		return 0, fmt.Errorf("the initial state is not its own mirror: %s against %s", init, mirror(init))
	}
	seen := map[State]bool{init: true}
	queue := []State{init}
	for q := 0; q < len(queue) && q < limit; q++ {
		s := queue[q]
		ms := mirror(s)
		if mirror(ms) != s {
			return q, fmt.Errorf("mirror is not an involution at %s", s)
		}
		c := Canonical(s)
		if c != s && c != Mirror(s) || Canonical(Mirror(s)) != c {
			return q, fmt.Errorf("Canonical(%s) = %s, Canonical of its mirror %s", s, c, Canonical(Mirror(s)))
		}
		want := map[edge]int{}
		m.Successors(s, func(l Label, n State) {
			want[edge{MirrorLabel(l), mirror(n)}]++
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		})
		got := map[edge]int{}
		m.Successors(ms, func(l Label, n State) { got[edge{l, n}]++ })
		for e, k := range want {
			if got[e] != k {
				return q, fmt.Errorf("at %s: the mirrored transition %s → %s is missing from its mirror %s", s, e.l, e.s, ms)
			}
		}
		for e, k := range got {
			if want[e] != k {
				return q, fmt.Errorf("at the mirror %s of %s: transition %s → %s has no mirror image", ms, s, e.l, e.s)
			}
		}
	}
	return min(len(queue), limit), nil
}

// TestMirrorIsAutomorphism is the soundness argument of the symmetry
// reduction: for every symmetric configuration tried, swapping A and B maps
// the reachable transition system onto itself, labels included.
func TestMirrorIsAutomorphism(t *testing.T) {
	limit := 1 << 30
	if testing.Short() {
		limit = 20000
	}
	for name, cfg := range symmetricConfigs() {
		t.Run(name, func(t *testing.T) {
			require.True(t, cfg.Symmetric())
			m, err := New(cfg)
			require.NoError(t, err)
			n, err := checkAutomorphism(m, Mirror, limit)
			require.NoError(t, err)
			require.Greater(t, n, 1000, "a space too small to mean anything")
		})
	}
}

// TestBrokenMirrorIsCaught shows that checkAutomorphism can fail: a mirror
// that forgets one field, and the asymmetric default configuration, are
// both rejected.
func TestBrokenMirrorIsCaught(t *testing.T) {
	cfg := symmetricConfigs()["base"]
	m, err := New(cfg)
	require.NoError(t, err)
	forgetsHistory := func(s State) State {
		n := Mirror(s)
		n.TWEntered = s.TWEntered
		return n
	}
	_, err = checkAutomorphism(m, forgetsHistory, 1<<30)
	require.ErrorContains(t, err, "mirror")

	cfg.CloseOrder = AThenB
	require.False(t, cfg.Symmetric())
	m, err = New(cfg)
	require.NoError(t, err)
	_, err = checkAutomorphism(m, Mirror, 1<<30)
	require.ErrorContains(t, err, "missing from its mirror")

	d, err := New(DefaultConfig())
	require.NoError(t, err)
	_, err = checkAutomorphism(d, Mirror, 1<<30)
	require.ErrorContains(t, err, "the initial state is not its own mirror")
}

// TestMirrorFields: Mirror swaps every per-side field, the ISN clocks
// included, which no symmetric configuration reaches today (with one
// incarnation both clocks are frozen at 0), and keeps the shared ones.
func TestMirrorFields(t *testing.T) {
	s := State{LossLeft: 1, DupLeft: 2, Phase: 1, TWEntered: [2]uint8{2, 0}, Clock: [2]uint16{5, 9}}
	s.Ends[A].St, s.Ends[B].St = TimeWait, LastAck
	s.Net.insert(Segment{Src: A, Flags: ACK, Seq: 2, Age: 1})
	s.Net.insert(Segment{Src: B, Flags: FIN | ACK, Seq: 1})
	m := Mirror(s)
	require.Equal(t, [2]uint16{9, 5}, m.Clock)
	require.Equal(t, [2]uint8{0, 2}, m.TWEntered)
	require.Equal(t, [2]ConnState{LastAck, TimeWait}, [2]ConnState{m.Ends[A].St, m.Ends[B].St})
	require.Equal(t, [3]uint8{1, 2, 1}, [3]uint8{m.LossLeft, m.DupLeft, m.Phase})
	require.Equal(t, []Segment{{Src: A, Flags: FIN | ACK, Seq: 1}, {Src: B, Flags: ACK, Seq: 2, Age: 1}}, m.Net.Copies())
	require.True(t, m.Net.sorted())
	require.Equal(t, s, Mirror(m))
	for _, x := range []State{s, m} {
		require.Contains(t, []State{s, m}, Canonical(x))
	}
	require.Equal(t, Canonical(s), Canonical(m))

	// Equal endpoints and networks: the ghost history, then the clocks,
	// decide.
	for _, x := range []State{{Clock: [2]uint16{5, 9}}, {TWEntered: [2]uint8{2, 0}, Clock: [2]uint16{9, 5}}} {
		require.NotEqual(t, x, Mirror(x))
		require.Equal(t, Canonical(x), Canonical(Mirror(x)), "%+v", x)
	}
}

func TestSymmetricConfig(t *testing.T) {
	c := symmetricConfigs()["base"]
	require.True(t, c.Symmetric())
	for name, edit := range map[string]func(*Config){
		"data":         func(c *Config) { c.NoData = false },
		"incarnations": func(c *Config) { c.Incarnations = 2 },
		"a-first":      func(c *Config) { c.CloseOrder = AFirst },
		"abort":        func(c *Config) { c.CloseMode = CloseAbort },
		"rules":        func(c *Config) { c.Rules = &Rules{} },
	} {
		d := c
		edit(&d)
		require.False(t, d.Symmetric(), name)
	}
}

// TestMirrorCommutesWithKey: a TW family's key of a mirrored state is the
// mirror of its key, so that the sweep's shared search may reduce keys by
// the symmetry (verify's symFamily): for every reachable state s of each
// member, Key(Mirror(s)) == Mirror(Key(s)) and Concrete inverts it.
func TestMirrorCommutesWithKey(t *testing.T) {
	for name, cfg := range symmetricConfigs() {
		t.Run(name, func(t *testing.T) {
			cfg.TW = 0
			f, err := NewTWFamily(cfg, []int{0, 1, 2, 3, 5})
			require.NoError(t, err)
			for i := range f.Len() {
				m := f.Model(i)
				init := m.Init()[0]
				seen := map[State]bool{init: true}
				queue := []State{init}
				for q := 0; q < len(queue) && q < 20000; q++ {
					s := queue[q]
					k, mk := f.Key(s, i), f.Key(Mirror(s), i)
					require.Equal(t, Mirror(k), mk, "member %d at %s", i, s)
					require.Equal(t, Mirror(s), f.Concrete(mk, i))
					m.Successors(s, func(_ Label, n State) {
						if !seen[n] {
							seen[n] = true
							queue = append(queue, n)
						}
					})
				}
			}
		})
	}
}
