#!/usr/bin/env bash
# Usage: tests/fuzz/make-recording-seeds.sh POOLSCOPE_BINARY OUTPUT_DIR
# Seeds for RecordingReaderFuzzer: small real recordings of short runs (one with allocations
# left behind, one with none, one of many events) and, when the sqlite3 shell is there, copies
# of them with SQLite's smallest page, so that the fuzzer's mutations reach every table within
# a few kilobytes.
set -euo pipefail
poolscope=$1
out=$2
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$poolscope" run wrap-memory --record "$work/wrap-memory.psrec" >/dev/null
"$poolscope" run leak-hunt --record "$work/leak-hunt.psrec" >/dev/null
"$poolscope" run default --param iterations=2 --record "$work/default.psrec" >/dev/null
for recording in "$work"/*.psrec; do
  name=$(basename "$recording" .psrec)
  cp "$recording" "$out/$name.psrec"
  if command -v sqlite3 >/dev/null; then
    # Rollback journal for the copy: the page size of a write-ahead-log database is fixed.
    cp "$recording" "$work/small.psrec"
    sqlite3 "$work/small.psrec" 'PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;' \
      >/dev/null
    cp "$work/small.psrec" "$out/$name-512.psrec"
    rm -f "$work/small.psrec"
  fi
done
ls -l "$out"
