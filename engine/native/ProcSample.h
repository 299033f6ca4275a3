#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace poolscope {

// What /proc/PID/status says of a process's memory, in bytes.
struct ProcStatusFigures {
    std::string name;  // the command name (comm), at most 15 characters
    // A zombie (State: Z, waiting for its parent), or a process on its way out that has let go
    // of its memory already (its status has no memory lines): it has exited.
    bool exited = false;
    std::uint64_t residentBytes = 0;      // VmRSS = anonymous + file-backed + shared memory
    std::uint64_t anonymousBytes = 0;     // RssAnon
    std::uint64_t fileBytes = 0;          // RssFile
    std::uint64_t sharedMemoryBytes = 0;  // RssShmem
    std::uint64_t swapBytes = 0;          // VmSwap
    std::uint32_t threads = 0;
};

// What /proc/PID/smaps_rollup says: the sum over every mapping, in bytes.
struct ProcRollupFigures {
    std::uint64_t residentBytes = 0;  // Rss
    // Pss: each page divided among the processes that share it, so the figures of all
    // processes add up to the memory they use together.
    std::uint64_t proportionalBytes = 0;
    std::uint64_t anonymousBytes = 0;  // Anonymous
    std::uint64_t swapBytes = 0;       // Swap
    // Kernels before 5.8 do not split the PSS.
    std::optional<std::uint64_t> proportionalAnonymousBytes;  // Pss_Anon
    std::optional<std::uint64_t> proportionalFileBytes;       // Pss_File
};

// One look at a process: its memory and its open descriptors at one moment.
struct ProcSample {
    std::int64_t timeNanoseconds = 0;  // monotonicNanoseconds(), the engine's event clock
    ProcStatusFigures status;
    // smaps_rollup walks every page table of the process, a thousand times the cost of status:
    // it may be read less often, and then a sample carries the last one read.
    ProcRollupFigures rollup;
    std::int64_t rollupTimeNanoseconds = 0;  // when `rollup` was read
    std::uint32_t descriptors = 0;           // entries of /proc/PID/fd
};

}  // namespace poolscope
