#!/usr/bin/env bash
# obsdebt's benchmark: on a generated corpus, the parse floor (read + syn::parse_file, nothing
# else) against `obsdebt check` cold, warm (nothing changed), warm after one changed file, and on
# one changed file alone (the pre-commit case), with 1 and 2 threads; wall time (median of RUNS)
# and peak memory of each, then the ratios the README's performance section records.
#
#   scripts/bench.sh [LINES]        default 1000000; RUNS=3, CORPUS=target/bench-corpus-LINES
set -euo pipefail
cd "$(dirname "$0")/.."

LINES=${1:-1000000}
RUNS=${RUNS:-3}
CORPUS=${CORPUS:-target/bench-corpus-$LINES}
TIME=/usr/bin/time
if ! "$TIME" -f %e true >/dev/null 2>&1; then
  echo "bench.sh needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2
  exit 2
fi

cargo build --release --quiet --bin obsdebt --example gen_corpus --example parse_floor
BIN=$PWD/target/release/obsdebt
FLOOR=$PWD/target/release/examples/parse_floor
[ -d "$CORPUS" ] || target/release/examples/gen_corpus "$CORPUS" --lines "$LINES"
CORPUS=$(cd "$CORPUS" && pwd)
CACHE=$(mktemp -d)
export OBSDEBT_CACHE_DIR=$CACHE
trap 'rm -rf "$CACHE"' EXIT
ONE_FILE=$(find "$CORPUS/crates" -name 'm*.rs' | sort | sed -n 1p)
RESULTS=$(mktemp)

# measure NAME THREADS [--before CMD] -- COMMAND...: median seconds and max peak KiB of RUNS runs.
measure() {
  local name=$1 threads=$2; shift 2
  local before=""
  if [ "$1" = "--before" ]; then before=$2; shift 2; fi
  shift # --
  local stats; stats=$(mktemp)
  for _ in $(seq "$RUNS"); do
    [ -n "$before" ] && eval "$before"
    "$TIME" -o "$stats.one" -f "%e %M" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$stats.one" >> "$stats"
  done
  local median peak
  median=$(cut -d' ' -f1 "$stats" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  peak=$(cut -d' ' -f2 "$stats" | sort -n | tail -n 1)
  rm -f "$stats" "$stats.one"
  printf '%s\t%s\t%s\t%s\n' "$name" "$threads" "$median" "$peak" >> "$RESULTS"
  printf '  %-34s %s thread(s)  %7.2f s  %6d MiB\n' "$name" "$threads" "$median" "$((peak / 1024))"
}

touch_one() { printf '\n// bench edit %s\n' "$RANDOM$RANDOM" >> "$ONE_FILE"; }

echo "corpus: $CORPUS ($(find "$CORPUS" -name '*.rs' | xargs cat | wc -l) lines in $(find "$CORPUS" -name '*.rs' | wc -l) files)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
for t in 1 2; do
  measure "parse floor" "$t" -- "$FLOOR" "$CORPUS" --threads "$t"
  measure "check, cold (no cache)" "$t" -- "$BIN" check "$CORPUS" --no-cache -q --threads "$t"
  "$BIN" check "$CORPUS" -q --threads "$t" >/dev/null 2>&1 || true   # fill the cache
  [ "$t" = 1 ] && echo "  findings: $("$BIN" check "$CORPUS" --threads "$t" 2>/dev/null | tail -n 1 || true)"
  measure "check, warm (nothing changed)" "$t" -- "$BIN" check "$CORPUS" -q --threads "$t"
  measure "check, warm, one file changed" "$t" --before touch_one -- "$BIN" check "$CORPUS" -q --threads "$t"
  measure "check one changed file (pre-commit)" "$t" --before touch_one -- "$BIN" check "$ONE_FILE" -q --threads "$t"
done

get() { awk -F'\t' -v n="$1" -v t="$2" '$1 == n && $2 == t {print $'"$3"'}' "$RESULTS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "ratios (2 threads unless said):"
echo "  cold check / parse floor:          $(ratio "$(get 'check, cold (no cache)' 2 3)" "$(get 'parse floor' 2 3)")   target <= 1.30"
echo "  warm, unchanged / cold:            $(ratio "$(get 'check, warm (nothing changed)' 2 3)" "$(get 'check, cold (no cache)' 2 3)")   target <= 0.20"
echo "  warm, one file changed / cold:     $(ratio "$(get 'check, warm, one file changed' 2 3)" "$(get 'check, cold (no cache)' 2 3)")   target <= 0.30"
echo "  one changed file (pre-commit) / cold: $(ratio "$(get 'check one changed file (pre-commit)' 2 3)" "$(get 'check, cold (no cache)' 2 3)")"
echo "  cold speed-up, 1 -> 2 threads:     $(ratio "$(get 'check, cold (no cache)' 1 3)" "$(get 'check, cold (no cache)' 2 3)")   target >= 1.80 (parse floor: $(ratio "$(get 'parse floor' 1 3)" "$(get 'parse floor' 2 3)"))"
echo "  peak memory, cold, 2 threads:      $(( $(get 'check, cold (no cache)' 2 4) / 1024 )) MiB   target <= 200"
rm -f "$RESULTS"
