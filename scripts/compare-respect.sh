#!/usr/bin/env bash
# compare-respect.sh runs the seed workflow (create a custom image from a stopped instance, then poll the
# image until it is AVAILABLE) with our `arazzo run` and with Redocly Respect, each N times in a fresh
# process against the same local OCI simulator (cmd/ocisim: presence auth, images settle after 2 polls),
# and prints the median wall time, the median peak RSS, the ratio, and whether each tool reached the
# right result.
#
#   scripts/compare-respect.sh [N]          N runs per tool (default 10)
#
# Environment:
#   RESPECT_DIR   where @redocly/cli is installed; default a temporary directory removed at exit. Pointing it
#                 at a kept directory skips the install on later runs. Never inside the repository.
#   KEEP=1        keep the temporary directory (binaries, logs, per-run outputs).
#
# Everything stays on loopback: the simulator listens on 127.0.0.1, both tools are pointed at it, and
# Respect's telemetry and update checks are turned off. The only other network use is the one-time npm
# install of @redocly/cli@2.77.0 from the npm registry.
#
# The right result: the image is AVAILABLE, which takes 1 getInstance, 1 createImage and 3 getImage calls
# (2 answered PROVISIONING, the third AVAILABLE). The simulator's call counters and the image's final
# state are read after every run; the simulator is reset before every run.
set -euo pipefail

N=${1:-10}
RESPECT_VERSION=2.77.0
POLLS=2
WANT_GET_IMAGE=$((POLLS + 1))

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEED="$ROOT/workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml"

for tool in go node npm curl; do
	command -v "$tool" >/dev/null || { echo "compare-respect: $tool is required" >&2; exit 2; }
done
if [[ ! $N =~ ^[1-9][0-9]*$ ]]; then
	echo "compare-respect: N must be a positive integer, got '$N'" >&2
	exit 2
fi
TIME_BIN=/usr/bin/time
if [[ ! -x $TIME_BIN ]] || ! "$TIME_BIN" -f %M true >/dev/null 2>&1; then
	echo "compare-respect: GNU time is needed for peak RSS (apt-get install time); RSS will read 0" >&2
	TIME_BIN=""
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/compare-respect.XXXXXX")
SIM_PID=""
cleanup() {
	if [[ -n $SIM_PID ]]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
	if [[ ${KEEP:-} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

RESPECT_DIR=${RESPECT_DIR:-$WORK/respect}
case "$(cd "$(dirname "$RESPECT_DIR")" 2>/dev/null && pwd)/" in
"$ROOT"/*) echo "compare-respect: RESPECT_DIR must be outside the repository" >&2; exit 2 ;;
esac
REDOCLY="$RESPECT_DIR/node_modules/.bin/redocly"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1 NO_COLOR=1
if [[ ! -x $REDOCLY ]] || [[ $("$REDOCLY" --version 2>/dev/null | tail -1) != "$RESPECT_VERSION" ]]; then
	echo "installing @redocly/cli@$RESPECT_VERSION into $RESPECT_DIR" >&2
	mkdir -p "$RESPECT_DIR"
	npm install --prefix "$RESPECT_DIR" --no-audit --no-fund --no-save --loglevel=error "@redocly/cli@$RESPECT_VERSION" >&2
fi

echo "building arazzo and ocisim" >&2
(cd "$ROOT" && go build -o "$WORK/arazzo" ./cmd/arazzo && go build -o "$WORK/ocisim" ./cmd/ocisim)

"$WORK/ocisim" -addr 127.0.0.1:0 -auth presence -polls "$POLLS" -quiet >"$WORK/ocisim.out" 2>"$WORK/ocisim.err" &
SIM_PID=$!
for _ in $(seq 100); do
	[[ -s $WORK/ocisim.out ]] && break
	sleep 0.05
done
URL=$(head -1 "$WORK/ocisim.out")
[[ $URL == http://127.0.0.1:*/20160918 ]] || { echo "compare-respect: ocisim did not start:" >&2; cat "$WORK/ocisim.err" >&2; exit 1; }
SIM=${URL%/20160918}/_sim

# The simulator's fixtures: a STOPPED instance in its compartment.
COMPARTMENT=ocid1.compartment.oc1..aaaaaaaasimcompartment
INSTANCE=ocid1.instance.oc1.phx.simstopped0001
TOKEN="Bearer placeholder-token"

ARAZZO_CMD=("$WORK/arazzo" run "$SEED" --server "ociComputeApi=$URL" --loop-delay 0
	--input "compartmentId=$COMPARTMENT" --input "instanceId=$INSTANCE"
	--input displayName=compare-respect --input "authToken=$TOKEN")
# The installed bin is what `npx redocly` resolves to; calling it directly leaves npx's own start-up out
# of Respect's time.
RESPECT_CMD=("$REDOCLY" respect "$SEED" --server "ociComputeApi=$URL"
	--input "compartmentId=$COMPARTMENT,instanceId=$INSTANCE,displayName=compare-respect,authToken=$TOKEN"
	--severity '{"STATUS_CODE_CHECK":"off","SCHEMA_CHECK":"off","CONTENT_TYPE_CHECK":"off"}')

# count prints the call counter of an operation from GET /_sim/calls.
count() { curl -fsS "$SIM/calls" | tr -d ' \n' | grep -o "\"$1\":[0-9]*" | cut -d: -f2 || echo 0; }
# image_state prints the lifecycle state of the image the run created (the only non-fixture image).
image_state() {
	curl -fsS "$SIM/state" | tr -d ' \n' | grep -o '"id":"ocid1.image.oc1.phx.simimage[0-9]*"[^}]*"lifecycleState":"[A-Z_]*"' |
		tail -1 | grep -o '"lifecycleState":"[A-Z_]*"' | cut -d'"' -f4 || echo none
}

# measure TOOL I: resets the simulator, runs the tool once, and appends "wall_ms rss_kb exit getImage state"
# to $WORK/TOOL.tsv.
measure() {
	local tool=$1 i=$2 start end rc rss cmd
	if [[ $tool == arazzo ]]; then cmd=("${ARAZZO_CMD[@]}"); else cmd=("${RESPECT_CMD[@]}"); fi
	curl -fsS -X POST "$SIM/reset" >/dev/null
	start=$EPOCHREALTIME
	set +e
	if [[ -n $TIME_BIN ]]; then
		"$TIME_BIN" -f %M -o "$WORK/$tool.$i.rss" "${cmd[@]}" >"$WORK/$tool.$i.out" 2>"$WORK/$tool.$i.err"
	else
		"${cmd[@]}" >"$WORK/$tool.$i.out" 2>"$WORK/$tool.$i.err"
	fi
	rc=$?
	set -e
	end=$EPOCHREALTIME
	rss=0
	[[ -s $WORK/$tool.$i.rss ]] && rss=$(tail -1 "$WORK/$tool.$i.rss")
	printf '%s\t%s\t%s\t%s\t%s\n' \
		"$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", (e - s) * 1000 }')" \
		"$rss" "$rc" "$(count getImage)" "$(image_state)" >>"$WORK/$tool.tsv"
}

echo "warming up (one untimed run each)" >&2
measure arazzo warm
measure respect warm
rm -f "$WORK/arazzo.tsv" "$WORK/respect.tsv"
for i in $(seq "$N"); do
	measure arazzo "$i"
	measure respect "$i"
	printf '.' >&2
done
echo >&2

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { cut -f"$2" "$WORK/$1.tsv"; }

verdict() {
	local tool=$1 bad
	bad=$(awk -F'\t' -v want="$WANT_GET_IMAGE" '$3 != 0 || $4 != want || $5 != "AVAILABLE"' "$WORK/$tool.tsv" | wc -l)
	if [[ $bad -eq 0 ]]; then
		echo "right: every run polled $WANT_GET_IMAGE times and the image is AVAILABLE"
	else
		echo "WRONG in $bad of $N runs: getImage calls $(col "$tool" 4 | sort -u | paste -sd/), image left $(col "$tool" 5 | sort -u | paste -sd/), exit $(col "$tool" 3 | sort -u | paste -sd/)"
	fi
}

A_MS=$(col arazzo 1 | median)
R_MS=$(col respect 1 | median)
A_RSS=$(col arazzo 2 | median)
R_RSS=$(col respect 2 | median)
A_OUT=$(tr -d ' \n' <"$WORK/arazzo.$N.out")

echo
echo "seed workflow, $N cold runs per tool, ocisim on 127.0.0.1 (presence auth, $POLLS polls before AVAILABLE)"
echo "machine: $(nproc) cores, $(go env GOOS)/$(go env GOARCH), $(go version | cut -d' ' -f3), node $(node --version), @redocly/cli $RESPECT_VERSION"
printf '%-22s %14s %16s  %s\n' tool "median wall" "median peak RSS" result
printf '%-22s %11s ms %13s KB  %s\n' "arazzo run" "$A_MS" "$A_RSS" "$(verdict arazzo)"
printf '%-22s %11s ms %13s KB  %s\n' "redocly respect" "$R_MS" "$R_RSS" "$(verdict respect)"
awk -v a="$A_MS" -v r="$R_MS" -v ar="$A_RSS" -v rr="$R_RSS" 'BEGIN {
	printf "ratio: arazzo is %.1fx faster end to end (target >= 30x) and uses %.1fx less peak memory\n", r / a, (ar > 0 ? rr / ar : 0)
}'
echo "arazzo outputs of the last run: $A_OUT"
