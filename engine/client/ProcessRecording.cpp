#include "client/ProcessRecording.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "analysis/AnalysisSummarizer.h"
#include "diagnostics/AllocationRegistry.h"
#include "diagnostics/ModuleMap.h"
#include "diagnostics/StackTable.h"
#include "recording/RecordingError.h"

// A program that must never be recorded defines this symbol: the poolscope program, which
// reads recordings and must not overwrite the one named in its environment.
extern "C" __attribute__((weak)) const int poolscope_process_recording_opt_out;

namespace poolscope {

namespace {

// The drain thread looks at the queue every 10 ms while events come, and less often, up to
// every 40 ms, while they do not: a program waiting (or a busy machine stretching its run) is
// not woken a hundred times a second for nothing. A queue of kInitialQueueEvents takes 40 ms
// of 1.6 million events a second, as the 16,384 it had took 10 ms; a drain that finds it a
// sixteenth full goes back to 10 ms, and one that finds it half full grows it (EventDrain).
constexpr auto kMinDrainInterval = std::chrono::milliseconds(10);
constexpr auto kMaxDrainInterval = std::chrono::milliseconds(40);
// The queue's pages are touched only as events reach them (MemoryEventQueue), so a quiet
// program pays for what it uses; room for a burst while the thread is still making the file.
constexpr std::size_t kInitialQueueEvents = std::size_t{1} << 16;
constexpr std::size_t kMaxQueueEvents = std::size_t{1} << 20;

std::string utcNow() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::vector<std::pair<std::string, std::string>> processMetadata() {
    std::error_code error;
    const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::string name = error ? std::string("(unknown program)") : program.filename().string();
    return {{"scenario", name},
            {"program", error ? name : program.string()},
            {"pid", std::to_string(::getpid())},
            {"poolscope_version", POOLSCOPE_VERSION},
            {"started_at", utcNow()}};
}

}  // namespace

ProcessRecording::ProcessRecording(const std::string& path, const std::string& failurePrefix) {
    // Made before this object, so destroyed after it: finishing at exit names stacks and reads
    // the registry, which must still be there.
    AllocationRegistry::instance();
    StackTable::instance();
    ModuleMap::instance();

    // Subscribed here, before main(), so that the recording holds the program's first event;
    // the events wait in this queue until the thread has made the file.
    drain_ = std::make_unique<EventDrain>(kInitialQueueEvents, kMaxQueueEvents);
    // The undisposed subscription also turns stack capture on, for every allocation from now.
    undisposed_ = MemoryDiagnostics::subscribeUndisposed([this](const UndisposedAllocation& gone) {
        std::lock_guard lock(mutex_);
        releasedWithoutDispose_.push_back(
            {gone.allocation.id, MemoryDiagnostics::tagName(gone.allocation.tagId), true});
    });
    // A recording follows one pool's slots: the first the process describes, told to the
    // writer once there is one.
    pools_ = PoolDirectory::watch([this](const PoolDescription& pool) {
        std::lock_guard lock(mutex_);
        if (pool_) {
            return;
        }
        pool_ =
            Pool{pool.sourceId, pool.capacityChunks, static_cast<std::int64_t>(pool.chunkBytes)};
        if (writer_) {
            writer_->setPool(pool_->sourceId, pool_->capacityChunks, pool_->chunkBytes);
        }
    });
    thread_ = std::jthread([this, path, failurePrefix](const std::stop_token& stop) {
        run(stop, path, failurePrefix);
    });
}

ProcessRecording::~ProcessRecording() {
    // Run at exit: nothing may escape, or the program that was only being recorded would end
    // in std::terminate.
    try {
        finish(std::cerr);
    } catch (...) {
        std::fputs("poolscope: the recording could not be finished\n", stderr);
    }
}

void ProcessRecording::run(const std::stop_token& stop, const std::string& path,
                           const std::string& failurePrefix) {
    if (!makeWriter(path, failurePrefix)) {
        // Nothing to record into: the program stops paying for stacks and queued events.
        pools_.reset();
        undisposed_.reset();
        drain_.reset();
        return;
    }
    drainLoop(stop);
}

bool ProcessRecording::makeWriter(const std::string& path, const std::string& failurePrefix) {
    // Frames are named when the recording is read, from the program's files, as heaptrack
    // does: naming them here would cost the program the time to read its debug information.
    RecordingWriter::Options options = AnalysisSummarizer::recordingOptions();
    options.symbolizeInBackground = false;
    options.replaceExisting = true;
    try {
        auto writer = std::make_unique<RecordingWriter>(path, processMetadata(), options);
        std::lock_guard lock(mutex_);
        writer_ = std::move(writer);
        if (pool_) {
            writer_->setPool(pool_->sourceId, pool_->capacityChunks, pool_->chunkBytes);
        }
        return true;
    } catch (const std::exception& error) {
        // One write, so that the line does not mix with what the program prints meanwhile.
        const std::string message = failurePrefix + error.what() + ". This run is not recorded.\n";
        std::fputs(message.c_str(), stderr);
        return false;
    }
}

void ProcessRecording::drainLoop(const std::stop_token& stop) {
    std::chrono::milliseconds interval = kMinDrainInterval;
    while (!stop.stop_requested()) {
        const std::span<const MemoryEvent> events = drain_->drain();
        if (!events.empty()) {
            writer_->consume(events);
        }
        interval = events.size() * 16 < kInitialQueueEvents
                       ? std::min<std::chrono::milliseconds>(interval * 2, kMaxDrainInterval)
                       : kMinDrainInterval;
        std::unique_lock lock(sleepMutex_);
        sleep_.wait_for(lock, stop, interval, [] { return false; });
    }
}

void ProcessRecording::finish(std::ostream& errors) {
    if (finished_) {
        return;
    }
    finished_ = true;
    thread_.request_stop();
    thread_.join();
    pools_.reset();
    if (!writer_) {
        return;  // the file could not be made, and the thread said so
    }
    const std::span<const MemoryEvent> last = drain_->drain();
    if (!last.empty()) {
        writer_->consume(last);
    }
    std::vector<RecordedLeak> leaks;
    {
        std::lock_guard lock(mutex_);
        leaks = releasedWithoutDispose_;
    }
    for (const AllocationInfo& live : MemoryDiagnostics::liveAllocations()) {
        leaks.push_back({live.id, MemoryDiagnostics::tagName(live.tagId), false});
    }
    undisposed_.reset();
    try {
        writer_->finish(leaks, drain_->dropped());
    } catch (const std::exception& error) {
        errors << "poolscope: " << error.what() << '\n';
    }
}

std::string ProcessRecording::expandPath(const std::string& value, long processId) {
    std::string path;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '%' && i + 1 < value.size() && value[i + 1] == 'p') {
            path += std::to_string(processId);
            ++i;
        } else {
            path += value[i];
        }
    }
    return path;
}

std::unique_ptr<ProcessRecording> ProcessRecording::fromEnvironment(std::ostream& errors) {
    const char* value = std::getenv(kEnvironmentVariable);
    if (value == nullptr) {
        return nullptr;
    }
    const std::string path = expandPath(value, ::getpid());
    if (path.empty()) {
        errors << "poolscope: " << kEnvironmentVariable
               << " is set but empty; it needs the name of the recording to write. This run is "
                  "not recorded.\n";
        return nullptr;
    }
    // A recording of an earlier run at that name is replaced (the writer does it atomically,
    // and refuses anything that is not a recording): a program run again, as in CI, records
    // again. Folders and links are refused here with a message that names the variable.
    std::error_code error;
    const std::filesystem::file_status status = std::filesystem::symlink_status(path, error);
    if (!error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
        errors << "poolscope: " << kEnvironmentVariable << "=" << value << ": " << path
               << (std::filesystem::is_directory(status) ? " is a folder"
                   : std::filesystem::is_symlink(status) ? " is a symbolic link"
                                                         : " is not a regular file")
               << "; it needs the name of the recording to write. This run is not recorded.\n";
        return nullptr;
    }
    const std::string failurePrefix =
        std::string("poolscope: ") + kEnvironmentVariable + "=" + value + ": ";
    try {
        return std::make_unique<ProcessRecording>(path, failurePrefix);
    } catch (const std::exception& error) {
        errors << "poolscope: " << kEnvironmentVariable << "=" << value << ": " << error.what()
               << ". This run is not recorded.\n";
        return nullptr;
    }
}

namespace {

// The process-start hook. A static object of the library: constructed when the library is
// loaded, before main() and before the program's own static objects, so destroyed after them
// at normal exit (return from main, exit()); what is live then is what the program leaked. The
// engine singletons it needs are made in its constructor, so they outlive it.
struct ProcessRecordingHook {
    ProcessRecordingHook() {
        if (&poolscope_process_recording_opt_out != nullptr) {
            return;
        }
        try {
            recording = ProcessRecording::fromEnvironment(std::cerr);
        } catch (...) {
            recording.reset();
        }
        if (recording) {
            // A child forked without exec does not own the parent's writer thread: it leaves
            // the recording to the parent.
            pthread_atfork(nullptr, nullptr, [] { static_cast<void>(hook().recording.release()); });
        }
    }

    static ProcessRecordingHook& hook();

    std::unique_ptr<ProcessRecording> recording;
};

ProcessRecordingHook g_hook;

ProcessRecordingHook& ProcessRecordingHook::hook() {
    return g_hook;
}

}  // namespace

}  // namespace poolscope
