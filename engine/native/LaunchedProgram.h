#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "link/LinkStackTable.h"
#include "native/NativeLiveState.h"

namespace poolscope {

struct LeakRecord;  // scenarios/ScenarioRunner.h

// The program could not be started under the interposer. The message says why in words a person
// acts on; `offerAttach` is set where LD_PRELOAD cannot work at all (a statically linked or
// setuid program), so the caller can offer `poolscope attach PID` instead.
class LaunchError : public std::runtime_error {
public:
    LaunchError(const std::string& message, bool offerAttach = false)
        : std::runtime_error(message), offerAttach_(offerAttach) {}
    bool offerAttach() const { return offerAttach_; }

private:
    bool offerAttach_;
};

// A program image the launched one exec'd into after it started (a wrapper script's
// `exec python3 ...`): its executable and command line, and whether the interposer went with it
// (it did when the new image said hello on the stream; an image without the stream's variables,
// or a static or setuid one, is not followed, and ends the stream).
struct ExecdImage {
    std::string path;         // /proc/PID/exe at the exec: the file that runs, links resolved
    std::string commandLine;  // its arguments, joined by spaces
    bool followed = false;
};

// How the program ended.
struct ProgramExit {
    int exitCode = 0;  // what exit() was given; 0 when a signal ended it
    int signal = 0;    // the signal that ended it; 0 for a normal exit
    // What a shell reports: the exit code, or 128 + the signal.
    int status() const { return signal != 0 ? 128 + signal : exitCode; }
};

// A program started under the LD_PRELOAD interposer (engine/preload), read as LinkClient reads a
// live link, so that the window's ingestor and `poolscope launch` treat both alike: the
// interposer's stream arrives over a pipe on a thread of its own, its records become MemoryEvents
// (UnpooledAllocate/UnpooledFree on the tiers NativeHeap, Mapped and Descriptor, the call that
// made each as its tag) in a bounded inbox. While the inbox is full the reader waits for room
// (as long as someone drains it), leaving the rest in the pipe: the pipe is then the bound, and
// the interposer drops (and counts) a packet the pipe cannot take within its budget, so the
// program never waits on PoolScope for long. Nothing drained for a while: what does not fit
// the inbox is counted as dropped. Stacks are named from the program's binaries through
// stacks(). Thread-safe.
class LaunchedProgram {
public:
    struct Options {
        std::string program;  // a path, or a name looked up in PATH
        std::vector<std::string> arguments;
        std::string workingDirectory;  // empty: this process's own
        std::string preloadLibrary;    // libpoolscope_preload.so
        int stackDepth = 0;            // return addresses per stack; 0: the interposer's default
        // 9 MiB of events: at 5M events a second, 26 ms of them, more than a consumer
        // draining every 20 ms leaves; a slower one holds the stream back in the pipe.
        std::size_t inboxEvents = std::size_t{1} << 17;
    };

    // Checks the program can run under the interposer and starts it. Throws LaunchError for a
    // program that does not exist or is not executable, for a statically linked or setuid one
    // (offerAttach()), for a missing interposer, and when the program could not be started.
    explicit LaunchedProgram(const Options& options);
    // Where the interposer library is: POOLSCOPE_PRELOAD_LIBRARY when set, else beside this
    // program's installation (its lib directory), else in the build tree; empty when none is.
    static std::string preloadLibrary();
    // Ends a program still running (terminate()) and waits for it.
    ~LaunchedProgram();
    LaunchedProgram(const LaunchedProgram&) = delete;
    LaunchedProgram& operator=(const LaunchedProgram&) = delete;

    pid_t pid() const { return pid_; }
    const Options& options() const { return options_; }
    // The program as started: the path the program resolved to.
    const std::string& programPath() const { return programPath_; }
    // CLOCK_MONOTONIC (systemMonotonicNanoseconds) when it was started: the clock its events
    // are on.
    std::int64_t startNanoseconds() const { return startNanoseconds_; }
    // The time of the newest record read.
    std::int64_t latestNanoseconds() const { return latest_.load(); }
    const std::shared_ptr<const LinkStackTable>& stacks() const { return stacksView_; }

    // Appends the events that arrived since the last call, the oldest first, at most
    // `maxEvents` of them (a consumer that cannot take more leaves the rest, and the program's
    // stream waits in the pipe meanwhile).
    std::size_t drain(std::vector<MemoryEvent>& out,
                      std::size_t maxEvents = std::numeric_limits<std::size_t>::max());
    // Nothing is waiting to be drained.
    bool inboxEmpty() const;
    // Records the interposer lost (it could not write in time) plus events the inbox had no room
    // for: never silent.
    std::uint64_t droppedEvents() const;
    std::uint64_t interposerDroppedRecords() const { return interposerDropped_.load(); }
    std::uint64_t inboxDroppedEvents() const { return inboxDropped_.load(); }
    std::uint64_t receivedEvents() const { return received_.load(); }

    // The program is gone and its stream read to the end (or broken).
    bool ended() const { return ended_.load(); }
    // Why it ended, for the person ("exited with status 0", "killed by SIGSEGV", a broken
    // stream): empty while it lasts.
    std::string endReason() const;
    // How the program ended, once ended().
    std::optional<ProgramExit> exit() const;
    // Blocks until ended(); for the command line, which has nothing else to do.
    void waitUntilEnded();

    // Asks the program to stop (SIGTERM), and kills it (SIGKILL) if it is still there a while
    // later. Returns at once; ended() follows.
    void terminate();

    // What is live now, as the events so far say: at the end, what the program left behind.
    // The descriptors still open, with their paths and the stacks that opened them.
    std::vector<NativeLiveState::Descriptor> openDescriptors() const;
    NativeLiveState::Totals liveTotals() const;
    // The images the program exec'd into since it started, in order: known while it is traced
    // (none otherwise).
    std::vector<ExecdImage> execs() const;
    // Every block, mapping and descriptor live now, in the order they were made, with its stack
    // (at most maxFrames, the interposer's own left out) and the call that made it as its tag.
    std::vector<LeakRecord> leftBehind(int maxFrames = 32) const;
    // The blocks and mappings the program could still reach when it ended (ReachabilityScan,
    // while it was held at its exit): not lost, though not freed. None when it could not be
    // worked out (the program could not be traced, or ended without its interposer's last
    // word); then everything left behind counts as lost.
    std::optional<std::unordered_set<AllocationId>> reachableAtExit() const;

private:
    void spawn(int writeEnd);
    void read(int readEnd);
    // Follows the program with ptrace (it is held at its exit for scanAtExit()) and reaps it.
    void trace();
    void scanAtExit();
    // The image the program just exec'd into, while the tracer holds it at the exec.
    void noteExec();
    // Moves a batch of events into the inbox, as far as it has room; mutex_ held.
    void take(std::vector<MemoryEvent>& events);
    // Waits, before the next read, while the inbox is nearly full and its consumer still
    // drains; mutex_ held by `lock`.
    void waitForInboxRoom(std::unique_lock<std::mutex>& lock);

    Options options_;
    std::string programPath_;
    pid_t pid_ = -1;
    std::int64_t startNanoseconds_ = 0;
    std::size_t inboxCapacity_;
    std::shared_ptr<LinkStackTable> stacks_;
    std::shared_ptr<const LinkStackTable> stacksView_;

    mutable std::mutex mutex_;
    std::vector<MemoryEvent> inbox_;
    NativeLiveState live_;
    std::string endReason_;
    std::optional<ProgramExit> exit_;
    bool reaped_ = false;  // once set, pid_ may name another process
    bool pipeClosed_ = false;
    std::optional<std::unordered_set<AllocationId>> reachable_;
    std::vector<ExecdImage> execs_;  // followed: filled in by execs()
    bool launchExecSeen_ = false;    // the first exec is the launch itself
    std::condition_variable endedCondition_;
    std::condition_variable eventsRead_;
    std::condition_variable inboxDrained_;
    std::chrono::steady_clock::time_point lastDrain_ = std::chrono::steady_clock::now();

    std::atomic<std::int64_t> latest_{0};
    std::atomic<std::uint64_t> interposerDropped_{0};
    std::atomic<std::uint64_t> inboxDropped_{0};
    std::atomic<std::uint64_t> received_{0};
    std::atomic<bool> ended_{false};
    std::atomic<bool> terminating_{false};
    std::atomic<bool> traced_{false};
    std::thread thread_;
    std::thread tracer_;
    std::thread killer_;
};

}  // namespace poolscope
