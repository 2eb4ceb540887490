package traces_test

import (
	"fmt"
	"os"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/traces"
)

// A hand-written run from the model's initial state: the network duplicates
// B's data octet and loses A's acknowledgement, the duplicate arrives half a
// tick later, and B's retransmission timer resends the data.
func ExampleWriteLadder() {
	t := traces.Trace{
		Format: traces.Format, Version: traces.Version, Config: model.DefaultConfig().Resolved(),
		Actions: []string{
			"dup B>A ACK seq=1 ack=1 len=1 inc=1 age=0",
			"deliver B>A ACK seq=1 ack=1 len=1 inc=1 age=0",
			"drop A>B ACK seq=1 ack=2 inc=1 age=0",
			"tick",
			"deliver B>A ACK seq=1 ack=1 len=1 inc=1 age=1",
			"tick",
			"timeout B rtx0",
		},
	}
	r, err := traces.Replay(t)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := traces.WriteLadder(os.Stdout, r); err != nil {
		fmt.Println(err)
	}
	// Output:
	// run, 7 steps
	// faults:   needs 1 lost ACK; 1 duplicated data; no reordering
	// config:   msl=1 tw=2 rto=1 backoff=2 retries=3 loss=1 dup=1 incarnations=2 grid=2 fin_timeout=0 lifetime=strict same_instant=any-order close_order=a-then-b close_mode=fin tw_restart=fin tw_rst=ignore rtx=per-segment data_unacked=false mutant=none
	// time:     in ticks; MSL = 1 tick; 1 tick = 2 sub-ticks
	// legend:   #n ──▶, ◀── #n  copy n sent into the network      ──▶●, ●◀──  copy delivered to its receiver
	//           ✗ lost   ⊕ duplicated   ↯ overtook n: delivered before n earlier copies in the same direction
	//           ┃ TIME-WAIT timer running   ┆ retransmission timer running   ▶ the step that violates the property
	//
	//   step  time  A (client)   │                     network                     │  B (server)   what happened
	//      0  0.00  ESTABLISHED  │                    ◀── #1 ACK seq=1 ack=1 len=1 │┆ ESTABLISHED  start
	//                            │                                                 │┆              B: retransmission timer rtx0: 1 tick left
	//      1  0.00               │              ⊕ #1 duplicated as #2              │┆              the network duplicates #1 as #2
	//      2  0.00               │ ●◀── #1 ACK seq=1 ack=1 len=1                   │┆              A receives #1: ESTABLISHED × data, deliver data
	//                            │ #3 ACK seq=1 ack=2 ──▶                          │┆
	//      3  0.00               │            ✗ #3 ACK seq=1 ack=2 lost            │┆              the network loses #3
	//      4  0.50               │          ┈┈ time passes 0.00 → 0.50 ┈┈          │┆
	//      5  0.50               │ ●◀── #2 ACK seq=1 ack=1 len=1  after 0.50 ticks │┆              A receives #2: ESTABLISHED × data, unacceptable: ACK, drop
	//                            │ #4 ACK seq=1 ack=2 ──▶                          │┆
	//      6  1.00               │          ┈┈ time passes 0.50 → 1.00 ┈┈          │┆
	//      7  1.00               │                ◀── #5 ACK seq=1 ack=1 len=1 rtx │┆              timeout B rtx0: ESTABLISHED × rtx-timeout, retransmit
	//                            │                                                 │┆              B: retransmission timer rtx0: 2 ticks
	//
	// still in flight at the end: #4 A>B ACK seq=1 ack=2; #5 B>A ACK seq=1 ack=1 len=1 rtx
	// no property to check
}
