package traces

import "github.com/timewait/timewait/model"

// Fate is what became of a copy by the end of a run.
type Fate uint8

// Fates.
const (
	InFlight  Fate = iota // still in the network when the run ends
	Delivered             // delivered to its receiver
	Lost                  // dropped by the network
)

// String returns "in flight", "delivered" or "lost".
func (f Fate) String() string {
	switch f {
	case Delivered:
		return "delivered"
	case Lost:
		return "lost"
	}
	return "in flight"
}

// Flight is one copy's life in a run, for renderings that draw a segment
// from its sender to its receiver.
type Flight struct {
	Seg       model.Segment // as sent (age 0)
	Sent      int           // step that sent it (1-based; 0 = in flight at the start)
	SentAt    int           // model time it was sent, in sub-ticks (may be negative for initial copies)
	End       int           // step that delivered or dropped it; 0 while in flight
	EndAt     int           // model time of End, in sub-ticks
	Fate      Fate
	DupOf     int  // for a copy made by a duplication: 1 + the index of the flight it copies; 0 otherwise
	DupStep   int  // the duplication's step
	Overtakes int  // on delivery: copies in flight in the same direction sent earlier (see [Flight.SentBefore])
	Reordered bool // Overtakes > 0
	// Order is the copy's place in the run's send order: copies sent at the
	// start first, then each step's emissions in the order the step emitted
	// them. A duplicate has its original's Order: it was sent with it.
	Order int
}

// SentBefore reports whether f was sent strictly before g: earlier in the
// run's send order. A copy and its duplicates are sent together.
func (f Flight) SentBefore(g Flight) bool { return f.Order < g.Order }

// Times returns the model time, in sub-ticks, at the start (index 0) and
// after each step (index i). Only ticks advance it.
func Times(r Replayed) []int {
	out := make([]int, len(r.Steps)+1)
	for i, st := range r.Steps {
		out[i+1] = out[i]
		if st.Label.Action.Kind == model.ActTick {
			out[i+1]++
		}
	}
	return out
}

// Flights follows every copy of a run from the step that sent it (or the
// start) to the step that delivered or dropped it, matching copies by their
// fields and send time. Flights are in order of sending; a duplicate follows
// at the point it was made.
func Flights(r Replayed) []Flight {
	times := Times(r)
	var out []Flight
	live := []int{} // indices into out of copies in flight
	order := 0
	for i := 0; i < r.Init.Net.Len(); i++ {
		g := r.Init.Net.At(i)
		age := int(g.Age)
		g.Age = 0
		out = append(out, Flight{Seg: g, SentAt: -age, Order: order})
		order++
		live = append(live, len(out)-1)
	}
	find := func(g model.Segment, now int) int {
		sentAt := now - int(g.Age)
		g.Age = 0
		for k, fi := range live {
			if out[fi].Seg == g && out[fi].SentAt == sentAt {
				return k
			}
		}
		return -1
	}
	for i, st := range r.Steps {
		step, now := i+1, times[i]
		a := st.Label.Action
		switch a.Kind {
		case model.ActDeliver, model.ActDrop:
			if k := find(a.Seg, now); k >= 0 {
				f := &out[live[k]]
				f.End, f.EndAt = step, now
				f.Fate = Lost
				live = append(live[:k], live[k+1:]...)
				if a.Kind == model.ActDeliver {
					f.Fate = Delivered
					for _, o := range live {
						if out[o].Seg.Src == f.Seg.Src && out[o].SentBefore(*f) {
							f.Overtakes++
						}
					}
					f.Reordered = f.Overtakes > 0
				}
			}
		case model.ActDuplicate:
			if k := find(a.Seg, now); k >= 0 {
				c := out[live[k]]
				out = append(out, Flight{Seg: c.Seg, Sent: c.Sent, SentAt: c.SentAt, DupOf: live[k] + 1, DupStep: step, Order: c.Order})
				live = append(live, len(out)-1)
			}
		}
		for _, g := range st.Label.Emitted() {
			g.Age = 0
			out = append(out, Flight{Seg: g, Sent: step, SentAt: now, Order: order})
			order++
			live = append(live, len(out)-1)
		}
	}
	return out
}
