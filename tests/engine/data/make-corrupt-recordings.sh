#!/usr/bin/env bash
# Usage: tests/engine/data/make-corrupt-recordings.sh POOLSCOPE_BINARY
# Remakes the damaged recordings of corrupt-recordings/ (RecordingCorpusTest) from short real
# runs, each damaged the way a recording was found damaged: files named refused-* must be
# refused with an error naming them; the others must read consistently. Needs the sqlite3
# shell. Inputs RecordingReaderFuzzer found are added beside them by hand, as found-*.
set -euo pipefail
poolscope=$(realpath "$1")
out=$(dirname "$(realpath "$0")")/corrupt-recordings
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
cd "$work"

# Real recordings with SQLite's smallest page and a rollback journal, so that each is a few
# kilobytes and changing it leaves no write-ahead log to carry along.
record() {
  "$poolscope" run "$@" --record full.psrec >/dev/null
  sqlite3 full.psrec 'PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;' >/dev/null
}
record default --param iterations=2 && mv full.psrec default.psrec
record wrap-memory && mv full.psrec wrap-memory.psrec
cp wrap-memory.psrec "$out/readable-wrap-memory.psrec"

head -c 1 default.psrec >"$out/refused-truncated-1-byte.psrec"
head -c 50 default.psrec >"$out/refused-truncated-50-bytes.psrec"

cp default.psrec version.psrec
sqlite3 version.psrec "UPDATE meta SET value = '1' WHERE key = 'schema_version'; PRAGMA user_version = 2;"
mv version.psrec "$out/refused-user-version-2-schema-version-1.psrec"

# refused-phantom-allocations.psrec and refused-lost-event.psrec were made by a schema version 2
# writer (one row per event: two returns garbled into rents, one event deleted) and are kept as
# they are, for the reading of version 2 recordings. Their version 3 counterparts: a byte of an
# event block garbled (its checksum fails), and a block deleted (the numbers leave a gap).
cp default.psrec garbled.psrec
sqlite3 garbled.psrec "UPDATE event_blocks SET data = substr(data, 1, 20) ||
  (CASE WHEN substr(data, 21, 1) = X'00' THEN X'01' ELSE X'00' END) || substr(data, 22)
  WHERE first_seq = 1;"
mv garbled.psrec "$out/refused-garbled-event-block.psrec"

cp default.psrec lost.psrec
sqlite3 lost.psrec "UPDATE event_blocks SET first_seq = first_seq + 1, event_count = event_count - 1
  WHERE first_seq = 1;"
mv lost.psrec "$out/refused-event-block-short-of-its-count.psrec"

# The page type of a table the opening itself never reads: only the integrity check sees it.
page=$(sqlite3 default.psrec "SELECT rootpage FROM sqlite_master WHERE name = 'event_kinds'")
cp default.psrec damaged.psrec
printf '\x00' | dd of=damaged.psrec bs=1 seek=$(((page - 1) * 512 + 5)) conv=notrunc status=none
mv damaged.psrec "$out/refused-integrity-check.psrec"

# A killed run copied without its write-ahead log: the main file holds nothing of it yet.
"$poolscope" run stress --record killed.psrec >/dev/null 2>&1 &
run=$!
while [ ! -s killed.psrec-wal ]; do sleep 0.1; done
cp killed.psrec "$out/refused-killed-without-wal.psrec"
kill -KILL "$run"
wait "$run" 2>/dev/null || true
ls -l "$out"
