#!/usr/bin/env bash
# Proves the harness can fail: it compares the working tree's model with
# itself (which must pass), then applies nine deliberate changes, one at a time,
# to the scratch copy of the new model (never to the repository) and
# requires the harness to report each: a behaviour change with exit status 1
# and a "DIFFERENCE", a change of a type's layout with exit status 2 and a
# "layout difference". Arguments go to the harness (e.g. -max 3000 -walks 5
# for a quick run). Exit status 0 when every check passed, 1 otherwise.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MODEL=$(cd "$HERE/../../model" && pwd)
declare -a names muts wants extras
# add NAME CHANGE WANT [HARNESS-ARGS]: HARNESS-ARGS follow the caller's, so
# that a change reached only deep in one configuration is found whatever
# the budget and seed.
add() { names+=("$1"); muts+=("$2"); wants+=("$3"); extras+=("${4:-}"); }
add "note text of a Linux-only TIME-WAIT rule" \
	"sed -i 's/SYN with no listener: ACK\"/SYN with no listener: ack\"/' receive.go" 1
add "RFC 1122 back-to-TIME-WAIT timer starts with Tries 1" \
	"sed -i 's/n.TW = startTimer(m.tw\[n.Inc\&7\], 0)/n.TW = startTimer(m.tw[n.Inc\&7], 1)/' receive.go" 1 \
	"-run rfc1122.return -walks 200 -depth 250"
add "a Hash constant" \
	"sed -i 's/k3 = 0x589965cc75374cc3/k3 = 0x589965cc75374cc5/' hash.go" 1
add "Actions order: close B listed before close A" \
	"sed -i 's/f(Action{Kind: ActClose, Side: A})/TMPX/; s/f(Action{Kind: ActClose, Side: B})/f(Action{Kind: ActClose, Side: A})/; s/TMPX/f(Action{Kind: ActClose, Side: B})/' model.go" 1
add "a disabled Step (invalid timer) returns State{} instead of s" \
	"sed -i '/case TimerRtx0, TimerRtx1:/,/return s, l, false/ s/return s, l, false/return State{}, l, false/' timers.go" 1
add "Label.EmittedRST reports a pure ACK as an RST (a method, not a field)" \
	"sed -i 's/^func (l Label) EmittedRST() bool {\$/&\n\tif l.NSent == 1 \&\& l.Sent[0].Flags == ACK {\n\t\treturn true\n\t}/' action.go" 1
add "ConnState.String spells TIME_WAIT" \
	"sed -i 's/\"LAST-ACK\", \"TIME-WAIT\",/\"LAST-ACK\", \"TIME_WAIT\",/' endpoint.go" 1
add "Config.UnmarshalJSON drops isn_start (the new model's reading side)" \
	"sed -i 's/ISNClock: j.ISNClock, ISNStart: j.ISNStart,/ISNClock: j.ISNClock,/' configjson.go" 1
add "State layout: an extra field that fits in padding (same size)" \
	"sed -i 's/^\tErr       ErrCode\$/\tErr       ErrCode\n\tXtra      uint8/' state.go" 2
rc=0
echo "################ the model against itself (must pass)"
out=$(bash "$HERE/run.sh" --old "$MODEL" -- "$@" 2>&1)
st=$?
echo "$out" | grep -E '^PASS|^old:|modeldiff:' | head -5
if [ $st -ne 0 ]; then
	echo "SELF-TEST FAILED: the model differs from itself (exit $st)"
	rc=1
fi
for i in "${!names[@]}"; do
	echo "################ self-test $((i + 1)): ${names[$i]}"
	# shellcheck disable=SC2086 # the extra arguments are split on purpose
	out=$(bash "$HERE/run.sh" --old "$MODEL" --mutate "${muts[$i]}" -- "$@" ${extras[$i]} 2>&1)
	st=$?
	echo "$out" | grep -E '^[-+][^-+]|^compared:|layout difference|^=== DIFF|^PASS|modeldiff:' | head -8
	want=${wants[$i]}
	if [ "$want" = 1 ] && [ $st -eq 1 ] && grep -q '^=== DIFFERENCE' <<<"$out"; then
		echo "-> detected (exit 1)"
	elif [ "$want" = 2 ] && [ $st -eq 2 ] && grep -q 'layout difference' <<<"$out"; then
		echo "-> detected (exit 2, layout)"
	else
		echo "SELF-TEST FAILED: wanted exit $want with a report, got exit $st"
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "selftest: PASS" || echo "selftest: FAIL"
exit $rc
