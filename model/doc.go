// Package model is the TCP connection-termination model of timewait: a pure,
// deterministic transition system of one TCP connection between two endpoints,
// A (the client) and B (the server), and the network between them.
//
// It owns the semantics: the per-state segment-arrival rules of RFC 9293
// §3.10.7, the user calls CLOSE/OPEN (§3.10.4, §3.10.1) and, as options, an
// abortive close (§3.10.5, SO_LINGER 0: Config.CloseMode), the retransmission
// and TIME-WAIT timers (§3.10.8, RFC 6298), optionally Linux's FIN-WAIT-2
// timer (tcp_fin_timeout: Config.FinTimeout), a lossy, duplicating, reordering
// network whose copies live less than MSL, and the reuse of the same 4-tuple by
// a new incarnation of the connection.
//
// A [State] is a small comparable value (fixed arrays, no pointers, slices or
// maps) and is always canonical: the network is a sorted multiset and time is
// stored only as timer countdowns and copy ages, so two states that mean the
// same thing compare ==. [Model.Successors] is pure and deterministic, and each
// transition carries a [Label] saying which action fired, which handler ran and
// what it emitted.
//
// Ghost fields (the incarnation tag, orphan mark and retransmission mark on a
// copy; the set of incarnations in which a side entered TIME-WAIT) exist only
// so that properties can be stated; no rule reads them, except that LISTEN
// takes the tag of the SYN it accepts (see listenOnSegment). An endpoint's own
// incarnation number is a model variable: it bounds reuse.
//
// Time is continuous in the reference semantics and discretised exactly on a
// grid of Config.Grid sub-ticks per tick (see docs/model.md).
//
// A [TWFamily] encodes the states of the models that differ only in
// TIME-WAIT's length with one TW-independent key (the TIME-WAIT countdown
// stored as its age), so that a sweep can explore its TW column at once.
//
// Import rule: package model imports the standard library only.
package model
