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
        bool inaccessible = false;  // "---p": a guard, as below each thread's stack
        std::string path;           // empty for anonymous memory
    };

    // The ids of `blocks` reachable in process `pid`. `threadPointers`: the thread pointers
    // (x86-64's fs base) known of its threads, see roots(). Throws std::runtime_error when its
    // memory cannot be read.
    static std::vector<AllocationId> reachable(pid_t pid, std::vector<Block> blocks,
                                               const std::vector<std::uint64_t>& threadPointers);
    // The thread pointer of a thread the caller traces and holds stopped; 0 where it cannot be
    // read (not traced, another architecture).
    static std::uint64_t threadPointerOf(pid_t tracedThread);

    // The roots among `regions` (in address order): writable file-backed mappings and the
    // anonymous ones right after them (a module's bss); not the heap or the stack, not the
    // interposer's own memory, not the parts of a region that `blocks` (sorted by address)
    // cover: a mapping the program made may lie in the same region as a module's bss.
    // `startBrk` is where the brk heap began (/proc/PID/stat): when the kernel does not move the
    // heap away from the executable (address randomization off, as in some containers), the
    // heap grows straight out of the executable's bss and /proc lists both as one "[heap]"
    // region, whose part below `startBrk` is still the bss and a root.
    //
    // Thread-local storage is a root too: a thread's static TLS block and its thread descriptor
    // (which holds pthread_setspecific's values) lie just below and at its thread pointer. For
    // each of `threadPointers` the window of kThreadLocalBytes below it and the descriptor's
    // page above it is a root; for a thread whose pointer is not known, glibc puts TLS and
    // descriptor at the top of its stack mapping, the anonymous region above a guard region,
    // whose top kThreadLocalBytes are a root. The rest of a stack is not (see above).
    static constexpr std::uint64_t kThreadLocalBytes = std::uint64_t{64} << 10;
    static constexpr std::uint64_t kThreadDescriptorBytes = std::uint64_t{4} << 10;
    static std::vector<Region> roots(const std::vector<Region>& regions,
                                     const std::vector<Block>& blocks, std::uint64_t startBrk,
                                     const std::vector<std::uint64_t>& threadPointers = {});
    static std::vector<Region> parseMaps(const std::string& text);
};

}  // namespace poolscope
