/*
 * timewait.pml: a Promela transliteration of timewait's model (model/*.go) for the default
 * configuration family, for a side-by-side run with SPIN (bench/run.sh, bench/README.md).
 *
 * Parameters (set with spin -DNAME=value; the defaults are timewait's DefaultConfig resolved):
 *   MSL TW RTO BACKOFF RETRIES LOSS DUP INCS GRID, all as in model.Config, times in ticks;
 *   LATE_FAULTS (defined or not) as Config.LateFaults.
 *   RTO and GRID must be given resolved (RTO 0 and GRID 0 are not understood here):
 *   bench/run.sh takes them from the "config" object of timewait's JSON output.
 * Conventions: only the defaults. lifetime strict, same-instant any-order, close-order
 *   a-then-b, close fin, tw-restart fin, tw-rst ignore, rtx per-segment, fin-timeout 0,
 *   data acknowledged before the closes (no --data-unacked), no mutant.
 *
 * Correspondence. One SPIN state is one model.State: the global variables below are the
 * fields of State, in its order (Ends[A], Ends[B], Net, LossLeft, DupLeft, Phase,
 * TWEntered, Err), then scratch variables that every transition sets back to 0 before it
 * ends (so they never tell two states apart; `hidden` is not used, see README.md). The one
 * process sits at the head of its `do` loop in every stored state, and the loop's one
 * option is an atomic sequence that makes one model transition (see the proctype at the
 * end): it chooses among the candidate actions of model.(*Model).forEachAction, each
 * guarded by exactly the condition under which Step enables it, and applies the action in a
 * d_step. SPIN stores no state inside an atomic sequence, so its stored states are
 * timewait's states and its "transitions" (stored + matched) are timewait's transitions
 * plus one: SPIN counts the initial state, which no transition reaches.
 *
 * The initial state is given by the declarations themselves, not by a first step: an
 * initialising step would add one stored state (the one before it). Promela initialises
 * every element of an array alike, so the fields whose initial value differs between A and B
 * are per-side scalars (aNxt, bNxt, ...; all endpoint fields are, for uniformity), and the
 * network's slot 0, the only one occupied at the start, is a scalar (net0) beside the array
 * of slots 1..11 (netR); NET(i) and SETNET(i, v) address slot i.
 */

#ifndef MSL
#define MSL 1
#endif
#ifndef TW
#define TW 2
#endif
#ifndef RTO
#define RTO MSL
#endif
#ifndef BACKOFF
#define BACKOFF 2
#endif
#ifndef RETRIES
#define RETRIES 3
#endif
#ifndef LOSS
#define LOSS 1
#endif
#ifndef DUP
#define DUP 1
#endif
#ifndef INCS
#define INCS 2
#endif
#ifndef GRID
#define GRID 2
#endif

/* model.(*Model) constants: strict lifetime (Config.ageLimit), twDur, rtxInterval(k). */
#define AGELIMIT (GRID*MSL - 1)
#define TWDUR (TW*GRID)
#define POW(k) ((k) == 0 -> 1 : ((k) == 1 -> BACKOFF : ((k) == 2 -> BACKOFF*BACKOFF : \
	((k) == 3 -> BACKOFF*BACKOFF*BACKOFF : ((k) == 4 -> BACKOFF*BACKOFF*BACKOFF*BACKOFF : \
	((k) == 5 -> BACKOFF*BACKOFF*BACKOFF*BACKOFF*BACKOFF : BACKOFF*BACKOFF*BACKOFF*BACKOFF*BACKOFF*BACKOFF))))))
#define RTXI(k) (RTO*GRID*POW(k))
#define MAXINFLIGHT 12

/* model.ConnState */
#define CLOSED 0
#define LISTEN 1
#define SYNSENT 2
#define SYNRCVD 3
#define ESTABLISHED 4
#define FINWAIT1 5
#define FINWAIT2 6
#define CLOSEWAIT 7
#define CLOSING 8
#define LASTACK 9
#define TIMEWAIT 10

/* model.Side and model.Flags */
#define A 0
#define B 1
#define SYN 1
#define ACK 2
#define FIN 4
#define RST 8

/* model.Seq: arithmetic modulo SeqSpace = 8 (model/seq.go); RcvWnd = 2. */
#define ADD(s, n) (((s) + (n)) % 8)
#define SUB(s, t) (((s) + 8 - (t)) % 8)
#define LT(s, t) (SUB(t, s) > 0 && SUB(t, s) < 4)
#define LEQ(s, t) ((s) == (t) || LT(s, t))
#define INWIN(s, lo) (SUB(s, lo) < 2)

/*
 * A copy in flight is packed as model.Segment.pack shifted right by 7 (its low 7 bits are
 * always 0), which keeps Go's order and stays below 2^31 for every age up to 250:
 * age<<17 | src<<16 | flags<<12 | len<<11 | seq<<8 | ack<<5 | inc<<2 | orphan<<1 | rtx.
 */
#define PACK(age, src, fl, len, seq, ack, inc, orph, rtx) \
	(((age) << 17) | ((src) << 16) | ((fl) << 12) | ((len) << 11) | ((seq) << 8) | ((ack) << 5) | \
	((inc) << 2) | ((orph) << 1) | (rtx))
#define AGEONE (1 << 17)
#define AGE(x) ((x) >> 17)
#define SRC(x) (((x) >> 16) & 1)
#define FLG(x) (((x) >> 12) & 15)
#define LENF(x) (((x) >> 11) & 1)
#define SEQF(x) (((x) >> 8) & 7)
#define ACKF(x) (((x) >> 5) & 7)
#define INCF(x) (((x) >> 2) & 7)
#define ORPHF(x) (((x) >> 1) & 1)
#define RTXF(x) ((x) & 1)

/* ---------------------------------------------------------------- the state: model.State */

/* Ends[A], Ends[B]: model.Endpoint, one variable per field and side (see the header).
 * Sequence numbers are 3 bits (SeqSpace 8), as are incarnations and retransmission counts;
 * countdowns are bytes, as in Go. */
#define ENDPOINT(P, NXT, DATA, R0ON, R0DUE) \
	unsigned P##St : 4 = ESTABLISHED; unsigned P##Inc : 3 = 1; unsigned P##Iss : 3 = 0; \
	unsigned P##Una : 3 = 1; unsigned P##Nxt : 3 = NXT; unsigned P##Rcv : 3 = 1; \
	unsigned P##Irs : 3 = 0; bool P##Data = DATA; bool P##AppClosed = 0; \
	bool P##Rtx0On = R0ON; byte P##Rtx0Due = R0DUE; unsigned P##Rtx0Tries : 3 = 0; \
	bool P##Rtx1On = 0; byte P##Rtx1Due = 0; unsigned P##Rtx1Tries : 3 = 0; \
	bool P##TwOn = 0; byte P##TwDue = 0; unsigned P##TwTries : 3 = 0

/* model.(*Model).Init: both ESTABLISHED in incarnation 1, B has sent its data octet. */
ENDPOINT(a, 1, 0, 0, 0);
ENDPOINT(b, 2, 1, 1, RTO*GRID);

/* Net: the sorted multiset of packed copies, slot 0 and slots 1..11; unused slots are 0. */
unsigned netN : 4 = 1;
int net0 = PACK(0, B, ACK, 1, 1, 1, 1, 0, 0);
int netR[11];

unsigned lossLeft : 4 = LOSS;
unsigned dupLeft : 4 = DUP;
unsigned phase : 1 = 0; /* deliveries-first only: always 0 under any-order */
byte twEntered[2];      /* ghost: bit n set when that side entered TIME-WAIT in incarnation n */
unsigned err : 1 = 0;   /* model.ErrOverflow: more than MAXINFLIGHT copies would be in flight */

/* action kinds (model.ActionKind, with delivery of a SYN to LISTEN and the two kinds of
 * timeout apart) */
#define ACT_DELIVER 1
#define ACT_DELIVERSYN 2
#define ACT_DROP 3
#define ACT_DUP 4
#define ACT_CLOSE 5
#define ACT_CONNECT 6
#define ACT_RTX 7
#define ACT_TW 8
#define ACT_TICK 9

/* Read a field of side s: F(s, St), F(s, Una), ... */
#define F(s, f) ((s) == A -> a##f : b##f)

#define NET(i) ((i) == 0 -> net0 : netR[(i) - 1])
#define SETNET(i, v) if :: (i) == 0 -> net0 = (v) :: else -> netR[(i) - 1] = (v) fi

/* ------------------------------------------------ scratch: 0 between transitions */

unsigned act : 4;       /* the action chosen (ACT_...) */
unsigned k : 4;         /* slot of the copy acted on; timer slot of a timeout */
unsigned iss : 3;       /* ISS chosen by a connect, or by LISTEN for the SYN it accepts */
unsigned d : 1;         /* the side that acts or receives */
byte j;                 /* loop index, temporary */
unsigned t : 3;         /* temporary (SPIN cannot pass a conditional expression to an inline) */
int p;                  /* a packed copy */
/* the copy delivered, unpacked */
unsigned gSrc : 1; unsigned gFl : 4; unsigned gLen : 1; unsigned gSeq : 3; unsigned gAck : 3;
unsigned gInc : 3; bool gOrph;
/* the working copy of the endpoint d (model code works on a copy e and stores it with setEnd) */
unsigned eSt : 4; unsigned eInc : 3; unsigned eIss : 3; unsigned eUna : 3; unsigned eNxt : 3;
unsigned eRcv : 3; unsigned eIrs : 3; bool eData; bool eApp;
bool eRtxOn[2]; byte eRtxDue[2]; byte eRtxTries[2]; bool eTwOn; byte eTwDue; unsigned eTwTries : 3;
/* the reply, at most one per step (model.rx) */
bool rHas; unsigned rFl : 4; unsigned rLen : 1; unsigned rSeq : 3; unsigned rAck : 3;
unsigned rInc : 3; bool rOrph; bool rRtx;
bool ackOK; bool finished; bool needAck;
/* the two properties, as the assertions name them */
bool noRstOnRetransmittedFin; bool noStaleSegmentAccepted;

inline clearScratch() {
	act = 0; k = 0; iss = 0; d = 0; j = 0; t = 0; p = 0;
	gSrc = 0; gFl = 0; gLen = 0; gSeq = 0; gAck = 0; gInc = 0; gOrph = 0;
	clearE();
	eInc = 0;
	rHas = 0; rFl = 0; rLen = 0; rSeq = 0; rAck = 0; rInc = 0; rOrph = 0; rRtx = 0;
	ackOK = 0; finished = 0; needAck = 0;
	noRstOnRetransmittedFin = 0; noStaleSegmentAccepted = 0
}

/* ---------------------------------------------------------------- endpoints */

#define LOADP(P) \
	eSt = P##St; eInc = P##Inc; eIss = P##Iss; eUna = P##Una; eNxt = P##Nxt; eRcv = P##Rcv; eIrs = P##Irs; \
	eData = P##Data; eApp = P##AppClosed; \
	eRtxOn[0] = P##Rtx0On; eRtxDue[0] = P##Rtx0Due; eRtxTries[0] = P##Rtx0Tries; \
	eRtxOn[1] = P##Rtx1On; eRtxDue[1] = P##Rtx1Due; eRtxTries[1] = P##Rtx1Tries; \
	eTwOn = P##TwOn; eTwDue = P##TwDue; eTwTries = P##TwTries
#define STOREP(P) \
	P##St = eSt; P##Inc = eInc; P##Iss = eIss; P##Una = eUna; P##Nxt = eNxt; P##Rcv = eRcv; P##Irs = eIrs; \
	P##Data = eData; P##AppClosed = eApp; \
	P##Rtx0On = eRtxOn[0]; P##Rtx0Due = eRtxDue[0]; P##Rtx0Tries = eRtxTries[0]; \
	P##Rtx1On = eRtxOn[1]; P##Rtx1Due = eRtxDue[1]; P##Rtx1Tries = eRtxTries[1]; \
	P##TwOn = eTwOn; P##TwDue = eTwDue; P##TwTries = eTwTries

/* e := s.Ends[side] */
inline load(side) {
	if
	:: side == A -> LOADP(a)
	:: else -> LOADP(b)
	fi
}

inline stopRtx() {
	eRtxOn[0] = 0; eRtxDue[0] = 0; eRtxTries[0] = 0;
	eRtxOn[1] = 0; eRtxDue[1] = 0; eRtxTries[1] = 0
}

/* Endpoint.closed(): CLOSED, only the incarnation kept. */
inline clearE() {
	eSt = CLOSED; eIss = 0; eUna = 0; eNxt = 0; eRcv = 0; eIrs = 0; eData = 0; eApp = 0;
	stopRtx();
	eTwOn = 0; eTwDue = 0; eTwTries = 0
}

/* backToListen: LISTEN, only the incarnation kept. */
inline backToListen() {
	clearE();
	eSt = LISTEN
}

/* model.(*Model).enterTimeWait */
inline enterTimeWait() {
	eSt = TIMEWAIT;
	stopRtx();
	eTwOn = 1; eTwDue = TWDUR; eTwTries = 0
}

/* Endpoint.finSeq, finSent, finAcked, dataUnacked, synUnacked */
#define FINSEQ (eData -> ADD(eIss, 2) : ADD(eIss, 1))
#define FINSENT (eApp && eNxt == ADD(FINSEQ, 1))
#define FINACKED (FINSENT && eUna == eNxt)
#define DATAUNACKED (eData && LEQ(eUna, ADD(eIss, 1)))
#define SYNUNACKED ((eSt == SYNSENT || eSt == SYNRCVD) && eUna == eIss)

/* setEnd, first half: B listens again as soon as it has no TCB and incarnations remain. */
inline relisten(side) {
	if
	:: side == B && eSt == CLOSED && eInc < INCS ->
		clearE();
		eSt = LISTEN;
		eInc = eInc + 1
	:: else -> skip
	fi
}

/* setEnd, second half: the TIME-WAIT ghost, then s.Ends[side] = e. */
inline commit(side) {
	if
	:: eSt == TIMEWAIT && F(side, St) != TIMEWAIT -> twEntered[side] = twEntered[side] | (1 << eInc)
	:: else -> skip
	fi;
	if
	:: side == A -> STOREP(a)
	:: else -> STOREP(b)
	fi
}

/* ---------------------------------------------------------------- network */

/* Network.add of the packed copy p, keeping the order; overflow sets err. */
inline add() {
	if
	:: netN == MAXINFLIGHT -> err = 1
	:: else ->
		j = netN;
		do
		:: j > 0 && NET(j - 1) > p -> SETNET(j, NET(j - 1)); j--
		:: else -> break
		od;
		SETNET(j, p);
		netN++
	fi
}

/* Network.remove of slot k */
inline removeAt() {
	j = k;
	do
	:: j + 1 < netN -> SETNET(j, NET(j + 1)); j++
	:: else -> break
	od;
	netN--;
	SETNET(netN, 0)
}

/* model.(*Model).send of the reply, from side, age 0 */
inline send(side) {
	if
	:: rHas -> p = PACK(0, side, rFl, rLen, rSeq, rAck, rInc, rOrph, rRtx); add()
	:: else -> skip
	fi
}

/* ---------------------------------------------------------------- segment handlers */

#define SEGLEN (gLen + (gFl & SYN) + ((gFl & FIN) >> 2))
/* acceptable(): RFC 9293 Table 6 with RCV.WND = 2 */
#define ACCEPTABLE (SEGLEN == 0 -> INWIN(gSeq, eRcv) : (INWIN(gSeq, eRcv) || INWIN(ADD(gSeq, SEGLEN - 1), eRcv)))

inline reply(fl, seq, ack, inc) {
	rHas = 1; rFl = fl; rLen = 0; rSeq = seq; rAck = ack; rInc = inc; rOrph = 0; rRtx = 0
}

/* ackOf(e): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
inline replyAck() {
	reply(ACK, eNxt, eRcv, eInc)
}

/* resetFor(seg): <SEQ=SEG.ACK><CTL=RST>, or <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
inline resetFor() {
	if
	:: gFl & ACK -> reply(RST, gAck, 0, 0)
	:: else -> reply(RST | ACK, 0, ADD(gSeq, SEGLEN), 0)
	fi
}

/* orphanReset: sent with no connection, tagged with the incarnation of the copy it answers */
inline orphanReset() {
	resetFor();
	rOrph = 1; rInc = gInc
}

/* resetFor sent by a TCB, tagged with its incarnation */
inline tcbReset() {
	resetFor();
	rInc = eInc
}

/* closedOnSegment */
inline closedOnSegment() {
	if
	:: gFl & RST -> skip
	:: else -> orphanReset()
	fi
}

/* listenOnSegment (its SYN branch runs with eIss set to the chosen ISS) */
inline listenOnSegment() {
	if
	:: gFl & RST -> skip
	:: else ->
		if
		:: gFl & ACK -> orphanReset()
		:: else ->
			if
			:: gFl & SYN ->
				eSt = SYNRCVD;
				eIrs = gSeq; eRcv = ADD(gSeq, 1);
				eUna = eIss; eNxt = ADD(eIss, 1);
				if
				:: gInc > eInc -> eInc = gInc
				:: else -> skip
				fi;
				eRtxOn[0] = 1; eRtxDue[0] = RTXI(0); eRtxTries[0] = 0;
				reply(SYN | ACK, eIss, eRcv, eInc)
			:: else -> skip
			fi
		fi
	fi
}

/* synSentOnSegment */
inline synSentOnSegment() {
	if
	:: gFl & ACK ->
		if
		:: LEQ(gAck, eIss) || LT(eNxt, gAck) ->
			finished = 1;
			if
			:: gFl & RST -> skip
			:: else -> tcbReset()
			fi
		:: else -> ackOK = (LT(eUna, gAck) && LEQ(gAck, eNxt))
		fi
	:: else -> skip
	fi;
	if
	:: finished -> skip
	:: else ->
		if
		:: gFl & RST ->
			if
			:: ackOK -> clearE()
			:: else -> skip
			fi
		:: else ->
			if
			:: gFl & SYN ->
				eIrs = gSeq; eRcv = ADD(gSeq, 1);
				if
				:: ackOK ->
					eUna = gAck; eSt = ESTABLISHED; stopRtx();
					replyAck()
				:: else ->
					eSt = SYNRCVD;
					reply(SYN | ACK, eIss, eRcv, eInc)
				fi
			:: else -> skip
			fi
		fi
	fi
}

/* timeWaitOnSegment with tw-rst ignore and tw-restart fin */
inline timeWaitOnSegment() {
	if
	:: gFl & RST -> skip
	:: else ->
		if
		:: gFl & FIN -> eTwOn = 1; eTwDue = TWDUR; eTwTries = 0
		:: else -> skip
		fi;
		if
		:: !ACCEPTABLE -> replyAck()
		:: else ->
			if
			:: gFl & (SYN | FIN) -> replyAck()
			:: else -> skip
			fi
		fi
	fi
}

/* ackTimers, per-segment rule */
inline ackTimers() {
	if
	:: eRtxOn[0] && !SYNUNACKED && !DATAUNACKED -> eRtxOn[0] = 0; eRtxDue[0] = 0; eRtxTries[0] = 0
	:: else -> skip
	fi;
	if
	:: eRtxOn[1] && FINACKED -> eRtxOn[1] = 0; eRtxDue[1] = 0; eRtxTries[1] = 0
	:: else -> skip
	fi
}

/* processAck; finished means the segment is finished with */
inline processAck() {
	if
	:: LT(eUna, gAck) && LEQ(gAck, eNxt) -> eUna = gAck; ackTimers()
	:: else ->
		if
		:: LT(eNxt, gAck) -> replyAck(); finished = 1
		:: else -> skip
		fi
	fi;
	if
	:: finished -> skip
	:: else ->
		if
		:: eSt == FINWAIT1 ->
			if
			:: FINACKED -> eSt = FINWAIT2
			:: else -> skip
			fi
		:: eSt == CLOSING ->
			finished = 1;
			if
			:: FINACKED -> enterTimeWait()
			:: else -> skip
			fi
		:: eSt == LASTACK ->
			if
			:: FINACKED -> clearE(); finished = 1
			:: else -> skip
			fi
		:: else -> skip
		fi
	fi
}

/* textAndFIN */
inline textAndFIN() {
	if
	:: gLen > 0 && (eSt == ESTABLISHED || eSt == FINWAIT1 || eSt == FINWAIT2) ->
		if
		:: gSeq == eRcv -> eRcv = ADD(eRcv, gLen)
		:: else -> skip
		fi;
		needAck = 1
	:: else -> skip
	fi;
	if
	:: gFl & FIN ->
		if
		:: ADD(gSeq, gLen) == eRcv ->
			eRcv = ADD(eRcv, 1);
			if
			:: eSt == SYNRCVD || eSt == ESTABLISHED -> eSt = CLOSEWAIT
			:: eSt == FINWAIT1 ->
				if
				:: FINACKED -> enterTimeWait()
				:: else -> eSt = CLOSING
				fi
			:: eSt == FINWAIT2 -> enterTimeWait()
			:: else -> skip
			fi
		:: else -> skip
		fi;
		needAck = 1
	:: else -> skip
	fi;
	if
	:: needAck -> replyAck()
	:: else -> skip
	fi
}

/* syncOnSegment: SYN-RECEIVED and the synchronized states but TIME-WAIT, receiver d */
inline syncOnSegment() {
	if
	:: !ACCEPTABLE ->
		if
		:: gFl & RST -> skip
		:: else -> replyAck()
		fi
	:: else ->
		if
		:: gFl & RST ->
			if
			:: gSeq != eRcv -> replyAck()
			:: else ->
				if
				:: eSt == SYNRCVD && d == B -> backToListen()
				:: else -> clearE()
				fi
			fi
		:: else ->
			if
			:: gFl & SYN ->
				if
				:: eSt == SYNRCVD && d == B -> backToListen()
				:: else -> replyAck()
				fi
			:: else ->
				if
				:: !(gFl & ACK) -> skip
				:: else ->
					if
					:: eSt == SYNRCVD ->
						if
						:: !(LT(eUna, gAck) && LEQ(gAck, eNxt)) -> tcbReset(); finished = 1
						:: else -> eSt = ESTABLISHED; eUna = gAck; stopRtx()
						fi
					:: else -> processAck()
					fi;
					if
					:: finished -> skip
					:: else -> textAndFIN()
					fi
				fi
			fi
		fi
	fi
}

/* model.(*Model).receive */
inline receive() {
	if
	:: eSt == CLOSED -> closedOnSegment()
	:: eSt == LISTEN -> listenOnSegment()
	:: eSt == SYNSENT -> synSentOnSegment()
	:: eSt == TIMEWAIT -> timeWaitOnSegment()
	:: else -> syncOnSegment()
	fi
}

/* ---------------------------------------------------------------- properties */

/*
 * Both are step properties (properties/fin.go, properties/stale.go): they read the state
 * before the step (the state variables, not yet stored to), the copy delivered (g), what
 * the step emitted (r) and the receiver after the step (e, after setEnd's relisten).
 */
inline checkDeliver() {
	/* no-rst-on-retransmitted-fin: a FIN copy of incarnation n, not orphan, delivered to
	 * a side that entered TIME-WAIT in incarnation n, is not answered with an RST. */
	if
	:: (gFl & FIN) && !gOrph && ((twEntered[d] >> gInc) & 1) ->
		noRstOnRetransmittedFin = !(rHas && (rFl & RST));
		assert(noRstOnRetransmittedFin)
	:: else -> skip
	fi;
	/* no-stale-segment-accepted: a copy of an older incarnation, sent by a TCB, delivered to
	 * an endpoint (not CLOSED) leaves its connection as it was (Endpoint.SameConnection). */
	if
	:: F(d, St) != CLOSED && gInc < F(d, Inc) && !gOrph ->
		noStaleSegmentAccepted = (eSt == F(d, St) && eInc == F(d, Inc) && eIss == F(d, Iss) &&
			eUna == F(d, Una) && eNxt == F(d, Nxt) && eRcv == F(d, Rcv) && eApp == F(d, AppClosed));
		assert(noStaleSegmentAccepted)
	:: else -> skip
	fi
}

/* ---------------------------------------------------------------- actions */

/* the copy in slot k, unpacked into g */
inline takeCopy() {
	p = NET(k);
	gSrc = SRC(p); gFl = FLG(p); gLen = LENF(p); gSeq = SEQF(p); gAck = ACKF(p); gInc = INCF(p);
	gOrph = ORPHF(p)
}

/* deliver the copy in slot k (not a SYN to LISTEN) */
inline deliver() {
	takeCopy();
	d = 1 - gSrc;
	load(d);
	removeAt();
	receive();
	relisten(d);
	checkDeliver();
	commit(d);
	send(d);
	clearScratch()
}

/* deliver the SYN in slot k to LISTEN, which chooses ISS iss */
inline deliverSyn() {
	takeCopy();
	d = 1 - gSrc;
	load(d);
	removeAt();
	eIss = iss;
	listenOnSegment();
	relisten(d);
	checkDeliver();
	commit(d);
	send(d);
	clearScratch()
}

inline drop() {
	removeAt();
	lossLeft--;
	clearScratch()
}

inline dup() {
	dupLeft--;
	p = NET(k);
	add();
	clearScratch()
}

/* userClose of side d, close fin */
inline userClose() {
	load(d);
	eApp = 1;
	if
	:: eSt == ESTABLISHED -> eSt = FINWAIT1
	:: else -> eSt = LASTACK
	fi;
	t = FINSEQ;
	reply(FIN | ACK, t, eRcv, eInc);
	eNxt = ADD(t, 1);
	eRtxOn[1] = 1; eRtxDue[1] = RTXI(0); eRtxTries[1] = 0;
	relisten(d);
	commit(d);
	send(d);
	clearScratch()
}

/* userConnect: A's active OPEN of a new incarnation with ISS iss */
inline userConnect() {
	d = A;
	load(A);
	clearE();
	eSt = SYNSENT; eInc = eInc + 1; eIss = iss; eUna = iss; eNxt = ADD(iss, 1);
	eRtxOn[0] = 1; eRtxDue[0] = RTXI(0); eRtxTries[0] = 0;
	reply(SYN, iss, 0, eInc);
	relisten(A);
	commit(A);
	send(A);
	clearScratch()
}

/* rtxSegment, per-segment rule, for timer slot k */
inline rtxSegment() {
	t = FINSEQ;
	reply(ACK, t, eRcv, eInc);
	rRtx = 1;
	if
	:: k != 0 -> rFl = ACK | FIN
	:: else ->
		if
		:: eSt == SYNSENT -> rFl = SYN; rSeq = eIss; rAck = 0
		:: eSt == SYNRCVD -> rFl = SYN | ACK; rSeq = eIss
		:: else -> rSeq = ADD(eIss, 1); rLen = 1
		fi
	fi
}

/* timeout of retransmission timer k of side d */
inline rtxTimeout() {
	load(d);
	if
	:: eRtxTries[k] >= RETRIES ->
		if
		:: eSt == SYNRCVD && d == B -> backToListen()
		:: else -> clearE()
		fi
	:: else ->
		rtxSegment();
		j = eRtxTries[k] + 1;
		eRtxOn[k] = 1; eRtxDue[k] = RTXI(j); eRtxTries[k] = j
	fi;
	relisten(d);
	commit(d);
	send(d);
	clearScratch()
}

/* timeout of the TIME-WAIT timer of side d */
inline twTimeout() {
	load(d);
	clearE();
	relisten(d);
	commit(d);
	clearScratch()
}

/* tick: one sub-tick passes */
inline tick() {
	if :: aRtx0On -> aRtx0Due-- :: else -> skip fi;
	if :: aRtx1On -> aRtx1Due-- :: else -> skip fi;
	if :: aTwOn -> aTwDue-- :: else -> skip fi;
	if :: bRtx0On -> bRtx0Due-- :: else -> skip fi;
	if :: bRtx1On -> bRtx1Due-- :: else -> skip fi;
	if :: bTwOn -> bTwDue-- :: else -> skip fi;
	j = 0;
	do
	:: j < netN -> SETNET(j, NET(j) + AGEONE); j++
	:: else -> break
	od;
	phase = 0;
	clearScratch()
}

/* ---------------------------------------------------------------- guards */

#define OK (err == 0)
#define EXPIRED(P, T) (P##T##On && P##T##Due == 0)
#define TICK_ENABLED ((netN == 0 || AGE(NET(netN - 1)) < AGELIMIT) && \
	!EXPIRED(a, Rtx0) && !EXPIRED(a, Rtx1) && !EXPIRED(a, Tw) && \
	!EXPIRED(b, Rtx0) && !EXPIRED(b, Rtx1) && !EXPIRED(b, Tw))

/* closeEnabled under a-then-b with the data acknowledged first */
#define CLOSE_A (aInc == 1 && !aAppClosed && aSt == ESTABLISHED && SUB(aRcv, aIrs) >= 2)
#define CLOSE_B (bInc == 1 && !bAppClosed && bSt == CLOSEWAIT && bData && LT(ADD(bIss, 1), bUna))

/* spaceFree(s, side): no number of side's sequence space is held by the peer's TCB or by a
 * copy in flight (sent by side, or carrying an ACK). Slot J holds the copy X. */
#define HOLDS(J, X, side) ((J) < netN && (SRC(X) == (side) || (FLG(X) & ACK)))
#define SPACEFREE(side) (!(F(1 - (side), St) >= SYNSENT && F(1 - (side), St) != SYNSENT) && \
	!HOLDS(0, net0, side) && !HOLDS(1, netR[0], side) && !HOLDS(2, netR[1], side) && \
	!HOLDS(3, netR[2], side) && !HOLDS(4, netR[3], side) && !HOLDS(5, netR[4], side) && \
	!HOLDS(6, netR[5], side) && !HOLDS(7, netR[6], side) && !HOLDS(8, netR[7], side) && \
	!HOLDS(9, netR[8], side) && !HOLDS(10, netR[9], side) && !HOLDS(11, netR[10], side))

/* model.(*Model).faultable: the network drops or duplicates a copy only at age 0 (in the
 * instant it was sent), or at any age with -DLATE_FAULTS (Config.LateFaults) */
#ifdef LATE_FAULTS
#define FAULTABLE(X) 1
#else
#define FAULTABLE(X) (AGE(X) == 0)
#endif

/* the copy X is a SYN (no ACK, no RST) and its receiver listens */
#define SYNLISTEN(X) ((FLG(X) & (SYN | ACK | RST)) == SYN && F(1 - SRC(X), St) == LISTEN)

/* The candidate actions on the copy in slot K (X, the copy; DIST, "not equal to the copy
 * before it": forEachAction acts once per distinct copy): deliver, drop, duplicate. Each
 * option only records which action it is (for a SYN to LISTEN, the ISS is chosen next). */
#define SLOT(K, X, DIST) \
	:: d_step { OK && (K) < netN && DIST && !SYNLISTEN(X) -> act = ACT_DELIVER; k = K } \
	:: d_step { OK && (K) < netN && DIST && SYNLISTEN(X) -> act = ACT_DELIVERSYN; k = K; d = 1 - SRC(X) } \
	:: d_step { OK && (K) < netN && DIST && lossLeft > 0 && FAULTABLE(X) -> act = ACT_DROP; k = K } \
	:: d_step { OK && (K) < netN && DIST && dupLeft > 0 && FAULTABLE(X) -> act = ACT_DUP; k = K }
#define RTXTIMEOUT(P, S, T, KK) \
	:: d_step { OK && EXPIRED(P, T) -> act = ACT_RTX; d = S; k = KK }

/* issChoices(s, d): ISS 0, and every other number unless spaceFree(s, d) */
#define ISS(I) :: d_step { !SPACEFREE(d) -> iss = I }

/* the action chosen, applied; every branch ends with clearScratch(). (One d_step per kind:
 * SPIN refuses a d_step as long as all of them together.) */
#define APPLY \
	if \
	:: d_step { act == ACT_DELIVER -> deliver() } \
	:: act == ACT_DELIVERSYN || act == ACT_CONNECT -> \
		if \
		:: iss = 0 \
		ISS(1) ISS(2) ISS(3) ISS(4) ISS(5) ISS(6) ISS(7) \
		fi; \
		if \
		:: d_step { act == ACT_DELIVERSYN -> deliverSyn() } \
		:: d_step { act == ACT_CONNECT -> userConnect() } \
		fi \
	:: d_step { act == ACT_DROP -> drop() } \
	:: d_step { act == ACT_DUP -> dup() } \
	:: d_step { act == ACT_CLOSE -> userClose() } \
	:: d_step { act == ACT_RTX -> rtxTimeout() } \
	:: d_step { act == ACT_TW -> twTimeout() } \
	:: d_step { act == ACT_TICK -> tick() } \
	fi

/*
 * One model transition is one atomic sequence: a d_step that chooses the action (one option
 * per candidate action of model.(*Model).forEachAction, guarded by exactly the condition
 * under which Step enables it) and records it in scratch variables; for a connect or a SYN
 * reaching LISTEN, a choice of the ISS (issChoices); then a d_step that applies the action
 * and clears the scratch variables. SPIN stores no state inside an atomic sequence, so the
 * states it stores are the states at the head of the loop: timewait's states, and every
 * path through the sequence is one of timewait's transitions. (One d_step per action and
 * ISS would do the same, but repeats the action's code and the spaceFree test in every
 * option: pan.c then takes a minute to compile.) When no action is enabled the atomic
 * sequence cannot start, and SPIN reports an invalid end state where timewait reports a
 * deadlock.
 */
active proctype timewait() {
	do
	:: atomic {
		if
		SLOT(0, net0, 1)
		SLOT(1, netR[0], netR[0] != net0)
		SLOT(2, netR[1], netR[1] != netR[0])
		SLOT(3, netR[2], netR[2] != netR[1])
		SLOT(4, netR[3], netR[3] != netR[2])
		SLOT(5, netR[4], netR[4] != netR[3])
		SLOT(6, netR[5], netR[5] != netR[4])
		SLOT(7, netR[6], netR[6] != netR[5])
		SLOT(8, netR[7], netR[7] != netR[6])
		SLOT(9, netR[8], netR[8] != netR[7])
		SLOT(10, netR[9], netR[9] != netR[8])
		SLOT(11, netR[10], netR[10] != netR[9])
		:: d_step { OK && CLOSE_A -> act = ACT_CLOSE; d = A }
		:: d_step { OK && CLOSE_B -> act = ACT_CLOSE; d = B }
		:: d_step { OK && aSt == CLOSED && aInc < INCS -> act = ACT_CONNECT; d = A }
		RTXTIMEOUT(a, A, Rtx0, 0) RTXTIMEOUT(a, A, Rtx1, 1)
		:: d_step { OK && EXPIRED(a, Tw) -> act = ACT_TW; d = A }
		RTXTIMEOUT(b, B, Rtx0, 0) RTXTIMEOUT(b, B, Rtx1, 1)
		:: d_step { OK && EXPIRED(b, Tw) -> act = ACT_TW; d = B }
		:: d_step { OK && TICK_ENABLED -> act = ACT_TICK }
		fi;
		APPLY
	}
	od
}
