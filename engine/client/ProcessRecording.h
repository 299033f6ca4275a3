#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "diagnostics/EventDrain.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/PoolDirectory.h"
#include "recording/RecordingWriter.h"

namespace poolscope {

// A recording of every allocator event of this process, from its start to its end: what
// POOLSCOPE_RECORD=FILE asks for. The library's process-start hook (ProcessRecording.cpp)
// makes one before main() when the variable is set and finishes it at normal exit, marking what
// is live then as leaks; a process that dies on the way leaves every batch committed so far.
// The program's thread only subscribes to the events and starts the recording's thread; that
// thread makes the file (its lock, tables and log: file-system work that takes milliseconds
// on a busy disk) while the program goes on, its events waiting in the subscription's queue.
class ProcessRecording {
public:
    static constexpr const char* kEnvironmentVariable = "POOLSCOPE_RECORD";

    // `path` is made on the recording's thread; when it cannot be, that thread writes to
    // stderr `failurePrefix`, the reason and that the run is not recorded, and the recording
    // ends there: its subscriptions go, the program runs on unrecorded.
    ProcessRecording(const std::string& path, const std::string& failurePrefix);
    // Finishes the recording; errors go to stderr, never out of a destructor run at exit.
    ~ProcessRecording();
    ProcessRecording(const ProcessRecording&) = delete;
    ProcessRecording& operator=(const ProcessRecording&) = delete;

    // The recording POOLSCOPE_RECORD asks for, or null (the variable is unset, or its value is
    // unusable: then a message saying why goes to `errors` and the program runs unrecorded).
    // "%p" in the value stands for the process id, so that programs this one starts, which
    // inherit the variable, record into files of their own.
    static std::unique_ptr<ProcessRecording> fromEnvironment(std::ostream& errors);
    // The value with "%p" replaced by `processId`.
    static std::string expandPath(const std::string& value, long processId);

    // Commits what is queued and marks the live allocations as leaks. Idempotent.
    void finish(std::ostream& errors);

private:
    struct Pool {
        std::uint16_t sourceId = 0;
        int capacityChunks = 0;
        std::int64_t chunkBytes = 0;
    };

    void run(const std::stop_token& stop, const std::string& path,
             const std::string& failurePrefix);
    bool makeWriter(const std::string& path, const std::string& failurePrefix);
    void drainLoop(const std::stop_token& stop);

    std::unique_ptr<RecordingWriter> writer_;  // set by the thread, under mutex_
    std::unique_ptr<MemoryDiagnostics::Subscription> undisposed_;
    std::unique_ptr<PoolDirectory::Watch> pools_;
    std::unique_ptr<EventDrain> drain_;
    std::mutex mutex_;
    std::vector<RecordedLeak> releasedWithoutDispose_;
    std::optional<Pool> pool_;  // the pool followed, under mutex_
    bool finished_ = false;
    // The drain thread sleeps on it between drains; a stop request wakes it at once, so the
    // program's exit does not wait out the drain interval.
    std::mutex sleepMutex_;
    std::condition_variable_any sleep_;
    std::jthread thread_;
};

}  // namespace poolscope
