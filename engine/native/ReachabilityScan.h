#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// Which of a stopped process's live blocks it can still reach: a block is reachable when a
// pointer to its start or into it (short of its last 8 bytes, see Marker) lies in a root (the
// modules' data and bss) or in a block reachable so. A block nothing points to is lost: the program
// cannot free it any more. Run while the process is held at its exit (ptrace), so that the memory
// is the one the program leaves. At exit the stack and registers hold the exit path's frames and
// stale copies of pointers the program's functions dropped long before (the last block a returned
// function lost is often still there), so unlike LeakSanitizer's check during a run they are not
// roots: what only a frame still held counts as lost.
class ReachabilityScan {
public:
    struct Block {
        std::uint64_t address = 0;
        std::uint64_t bytes = 0;
        AllocationId id = 0;
    };
    // A writable mapping of the process, as /proc/PID/maps lists it.
    struct Region {
        std::uint64_t start = 0;
        std::uint64_t end = 0;
        bool writable = false;
        std::string path;  // empty for anonymous memory
    };

    // The ids of `blocks` reachable in process `pid`. Throws std::runtime_error when its memory
    // cannot be read.
    static std::vector<AllocationId> reachable(pid_t pid, std::vector<Block> blocks);

    // The roots among `regions` (in address order): writable file-backed mappings and the
    // anonymous ones right after them (a module's bss); not the heap or the stack, not the
    // interposer's own memory, not a region holding one of `blocks` (sorted by address).
    // `startBrk` is where the brk heap began (/proc/PID/stat): when the kernel does not move the
    // heap away from the executable (address randomization off, as in some containers), the
    // heap grows straight out of the executable's bss and /proc lists both as one "[heap]"
    // region, whose part below `startBrk` is still the bss and a root.
    static std::vector<Region> roots(const std::vector<Region>& regions,
                                     const std::vector<Block>& blocks, std::uint64_t startBrk);
    static std::vector<Region> parseMaps(const std::string& text);
};

}  // namespace poolscope
