#include "native/LaunchedProgram.h"

#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/Clock.h"
#include "diagnostics/StackFrameSelection.h"
#include "native/PreloadStreamDecoder.h"
#include "native/ReachabilityScan.h"
#include "scenarios/ScenarioRunner.h"

namespace poolscope {

namespace {

// How long a program asked to stop may take before it is killed.
constexpr auto kTerminateGrace = std::chrono::seconds(3);
// How often the reader looks whether the program is gone while its pipe stays open (a child it
// forked may hold the pipe's write end long after).
constexpr int kExitPollMilliseconds = 50;
constexpr std::size_t kReadBytes = 1 << 16;
// How long the program is held at its exit for its last records to arrive.
constexpr auto kExitRecordWait = std::chrono::seconds(2);
constexpr auto kHelloWait = std::chrono::milliseconds(100);
// Room kept in the inbox for one read's events: a 64 KiB read holds at most this many records
// (the smallest is 24 bytes), each at most one event but for an unmapping that splits regions.
constexpr std::size_t kInboxHeadroom = kReadBytes / 16;
// The reader waits for room in the inbox only while the inbox's consumer drains it at least
// this often; one that stopped draining lets the reader go on, dropping (and counting) what
// does not fit, so that the program's end is still seen.
constexpr auto kConsumerGone = std::chrono::seconds(1);
// An exec'd image's command line is kept up to this long (a `python3 -c` script can be long).
constexpr std::size_t kCommandLineBytes = 400;

std::string errorText(int error) {
    return std::strerror(error);
}

// `program` as execvp would find it, from `workingDirectory` for a relative path.
std::string resolveProgram(const std::string& program, const std::string& workingDirectory) {
    if (program.empty()) {
        throw LaunchError("no program was given");
    }
    if (program.find('/') != std::string::npos) {
        if (program.front() != '/' && !workingDirectory.empty()) {
            return workingDirectory + "/" + program;
        }
        return program;
    }
    const char* path = std::getenv("PATH");
    std::string directories = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= directories.size()) {
        const std::size_t colon = std::min(directories.find(':', start), directories.size());
        std::string directory = directories.substr(start, colon - start);
        start = colon + 1;
        const std::string candidate = (directory.empty() ? "." : directory) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0) {
            struct stat status {};
            if (::stat(candidate.c_str(), &status) == 0 && S_ISREG(status.st_mode)) {
                return candidate;
            }
        }
    }
    throw LaunchError(program + ": no such program in PATH");
}

// Refuses what cannot run, or cannot run under LD_PRELOAD, with words a person acts on.
void checkProgram(const std::string& path, const std::string& shown) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) {
        throw LaunchError(shown + ": " + (errno == ENOENT ? "no such program" : errorText(errno)));
    }
    if (!S_ISREG(status.st_mode)) {
        throw LaunchError(shown + ": not a program (" +
                          (S_ISDIR(status.st_mode) ? "a directory" : "not a regular file") + ")");
    }
    if (::access(path.c_str(), X_OK) != 0) {
        throw LaunchError(shown + ": not executable (" + errorText(errno) + ")");
    }
    const std::string attach =
        ": the dynamic loader ignores LD_PRELOAD for it, so its allocations cannot be followed; "
        "'poolscope attach PID' samples any running program from /proc instead";
    if ((status.st_mode & (S_ISUID | S_ISGID)) != 0) {
        throw LaunchError(shown + " is setuid or setgid" + attach, true);
    }
    if (::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0) {
        throw LaunchError(shown + " has file capabilities" + attach, true);
    }
    std::ifstream file(path, std::ios::binary);
    Elf64_Ehdr header{};
    if (!file.read(reinterpret_cast<char*>(&header), sizeof header) ||
        std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
        return;  // a script: its interpreter runs, and takes the interposer
    }
    if (header.e_ident[EI_CLASS] != ELFCLASS64) {
        throw LaunchError(shown + ": a 32-bit program; the interposer is built for 64-bit ones");
    }
    bool interpreted = false;
    for (int i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr segment{};
        file.seekg(static_cast<std::streamoff>(header.e_phoff + i * sizeof segment));
        if (!file.read(reinterpret_cast<char*>(&segment), sizeof segment)) {
            break;
        }
        interpreted = interpreted || segment.p_type == PT_INTERP;
    }
    if (!interpreted) {
        throw LaunchError(shown + " is statically linked" + attach, true);
    }
}

bool readable(const std::string& path) {
    return !path.empty() && ::access(path.c_str(), R_OK) == 0;
}

}  // namespace

std::string LaunchedProgram::preloadLibrary() {
    if (const char* chosen = std::getenv("POOLSCOPE_PRELOAD_LIBRARY"); chosen && *chosen) {
        return chosen;
    }
    constexpr const char* kName = "libpoolscope_preload.so";
    std::vector<std::string> candidates;
    std::error_code error;
    const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
        const std::filesystem::path prefix = executable.parent_path().parent_path();
#ifdef POOLSCOPE_INSTALL_LIBDIR
        candidates.push_back(prefix / POOLSCOPE_INSTALL_LIBDIR / kName);
#endif
        candidates.push_back(prefix / "lib" / kName);
        candidates.push_back(executable.parent_path() / kName);
    }
#ifdef POOLSCOPE_PRELOAD_BUILD_PATH
    candidates.emplace_back(POOLSCOPE_PRELOAD_BUILD_PATH);
#endif
    for (const std::string& candidate : candidates) {
        if (readable(candidate)) {
            return candidate;
        }
    }
    return {};
}

LaunchedProgram::LaunchedProgram(const Options& options)
    : options_(options),
      inboxCapacity_(options.inboxEvents),
      stacks_(std::make_shared<LinkStackTable>()),
      stacksView_(stacks_),
      live_(*stacks_) {
    programPath_ = resolveProgram(options_.program, options_.workingDirectory);
    checkProgram(programPath_, options_.program);
    if (!readable(options_.preloadLibrary)) {
        throw LaunchError("the interposer library " +
                          (options_.preloadLibrary.empty() ? std::string("(none given)")
                                                           : options_.preloadLibrary) +
                          " cannot be read: set POOLSCOPE_PRELOAD_LIBRARY to its path");
    }
    int stream[2];
    if (::pipe2(stream, O_CLOEXEC) != 0) {
        throw LaunchError("cannot make a pipe for the program's events: " + errorText(errno));
    }
    try {
        spawn(stream[1]);
    } catch (...) {
        ::close(stream[0]);
        ::close(stream[1]);
        throw;
    }
    ::close(stream[1]);
    thread_ = std::thread([this, readEnd = stream[0]] { read(readEnd); });
}

LaunchedProgram::~LaunchedProgram() {
    if (!ended()) {
        terminate();
    }
    if (thread_.joinable()) {
        thread_.join();
    }
    if (tracer_.joinable()) {
        tracer_.join();
    }
    if (killer_.joinable()) {
        killer_.join();
    }
}

void LaunchedProgram::spawn(int writeEnd) {
    // Everything the child needs is made before fork: between fork and exec it may only make
    // async-signal-safe calls.
    std::vector<std::string> environment;
    std::string preload = options_.preloadLibrary;
    for (char** variable = environ; *variable; ++variable) {
        const std::string_view entry(*variable);
        if (entry.starts_with("LD_PRELOAD=")) {
            preload += ":" + std::string(entry.substr(std::strlen("LD_PRELOAD=")));
        } else if (!entry.starts_with(std::string(PreloadWire::kFdVariable) + "=") &&
                   !entry.starts_with(std::string(PreloadWire::kStreamVariable) + "=") &&
                   !entry.starts_with(std::string(PreloadWire::kStackDepthVariable) + "=")) {
            environment.emplace_back(entry);
        }
    }
    environment.push_back("LD_PRELOAD=" + preload);
    environment.push_back(std::string(PreloadWire::kFdVariable) + "=" + std::to_string(writeEnd));
    struct stat stream {};
    if (::fstat(writeEnd, &stream) == 0) {
        environment.push_back(std::string(PreloadWire::kStreamVariable) + "=" +
                              std::to_string(stream.st_dev) + ":" + std::to_string(stream.st_ino));
    }
    if (options_.stackDepth > 0) {
        environment.push_back(std::string(PreloadWire::kStackDepthVariable) + "=" +
                              std::to_string(options_.stackDepth));
    }
    std::vector<char*> envp;
    for (std::string& entry : environment) {
        envp.push_back(entry.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> arguments{options_.program};
    arguments.insert(arguments.end(), options_.arguments.begin(), options_.arguments.end());
    std::vector<char*> argv;
    for (std::string& argument : arguments) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    const char* directory =
        options_.workingDirectory.empty() ? nullptr : options_.workingDirectory.c_str();

    // The child says why exec failed over a pipe that exec closes: nothing read means it ran.
    int failure[2];
    if (::pipe2(failure, O_CLOEXEC) != 0) {
        throw LaunchError("cannot start " + options_.program + ": " + errorText(errno));
    }
    startNanoseconds_ = systemMonotonicNanoseconds();
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        ::close(failure[0]);
        ::close(failure[1]);
        throw LaunchError("cannot start " + options_.program + ": " + errorText(error));
    }
    if (pid == 0) {
        ::close(failure[0]);
        // Only the child keeps the write end across exec.
        const int flags = ::fcntl(writeEnd, F_GETFD);
        int error = 0;
        if (flags < 0 || ::fcntl(writeEnd, F_SETFD, flags & ~FD_CLOEXEC) != 0) {
            error = errno;
        } else if (directory && ::chdir(directory) != 0) {
            error = errno;
        } else {
            // Held until the tracer has seized it, so that it is traced from its first
            // instruction.
            ::kill(::getpid(), SIGSTOP);
            ::execve(programPath_.c_str(), argv.data(), envp.data());
            error = errno;
        }
        [[maybe_unused]] const ssize_t written = ::write(failure[1], &error, sizeof error);
        ::_exit(127);
    }
    ::close(failure[1]);
    pid_ = pid;
    tracer_ = std::thread([this] { trace(); });
    int error = 0;
    ssize_t got;
    do {
        got = ::read(failure[0], &error, sizeof error);
    } while (got < 0 && errno == EINTR);
    ::close(failure[0]);
    if (got == static_cast<ssize_t>(sizeof error)) {
        tracer_.join();
        throw LaunchError("cannot start " + options_.program +
                          (directory ? std::string(" in ") + directory : std::string()) + ": " +
                          errorText(error));
    }
}

void LaunchedProgram::read(int readEnd) {
    PreloadStreamDecoder decoder(live_);
    std::vector<MemoryEvent> pending;
    std::vector<unsigned char> buffer(kReadBytes);
    std::string broken;
    bool open = true;
    // Reads what the pipe holds; false at its end.
    const auto readAvailable = [&](bool block) {
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                waitForInboxRoom(lock);
            }
            const ssize_t got = ::read(readEnd, buffer.data(), buffer.size());
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got <= 0) {
                return got < 0 && errno == EAGAIN;
            }
            if (broken.empty()) {
                pending.clear();
                std::lock_guard lock(mutex_);
                live_.setOutput(&pending);
                try {
                    decoder.feed({buffer.data(), static_cast<std::size_t>(got)});
                } catch (const PreloadStreamError& error) {
                    // The rest is read and thrown away, so the program never waits on a full pipe.
                    broken = error.what();
                }
                live_.setOutput(nullptr);
                take(pending);
            }
            if (block) {
                return true;
            }
        }
    };
    // No more records: an exec into an image the interposer is not in took the old image's
    // memory with it.
    const auto endOfStream = [&] {
        pending.clear();
        std::lock_guard lock(mutex_);
        live_.setOutput(&pending);
        live_.streamEnded();
        live_.setOutput(nullptr);
        take(pending);
    };
    for (;;) {
        pollfd watched{readEnd, POLLIN, 0};
        if (open && ::poll(&watched, 1, kExitPollMilliseconds) > 0) {
            open = readAvailable(true);
            eventsRead_.notify_all();
        }
        if (!open) {
            endOfStream();
        }
        std::unique_lock lock(mutex_);
        if (reaped_) {
            break;
        }
        if (!open) {
            // The program closed the pipe (or every descriptor it had) and runs on: its end
            // is still to come.
            pipeClosed_ = true;
            eventsRead_.notify_all();
            endedCondition_.wait(lock, [this] { return reaped_; });
            break;
        }
    }
    if (open) {
        // The program is gone; what it wrote is in the pipe, whoever else still holds it.
        ::fcntl(readEnd, F_SETFL, ::fcntl(readEnd, F_GETFL) | O_NONBLOCK);
        readAvailable(false);
        endOfStream();
    }
    ::close(readEnd);

    std::string reason;
    {
        std::lock_guard lock(mutex_);
        if (exit_->signal != 0) {
            const char* name = sigabbrev_np(exit_->signal);
            reason = name ? std::string("killed by SIG") + name
                          : "killed by signal " + std::to_string(exit_->signal);
        } else {
            reason = "exited with status " + std::to_string(exit_->exitCode);
        }
    }
    if (!broken.empty()) {
        reason += "; its events stopped at a broken stream: " + broken;
    } else if (!decoder.atBoundary()) {
        reason += "; its last events were cut off";
    }
    {
        std::lock_guard lock(mutex_);
        if (!live_.helloSeen()) {
            reason += "; the interposer did not start in it, so nothing was captured";
        }
        endReason_ = reason;
        ended_ = true;
    }
    endedCondition_.notify_all();
}

void LaunchedProgram::trace() {
    int status = 0;
    while (::waitpid(pid_, &status, WUNTRACED) < 0 && errno == EINTR) {
    }
    // Traced only to be held at its exit while what it can still reach is worked out; where
    // tracing is not allowed it runs untraced, and everything it left counts as lost.
    if (WIFSTOPPED(status)) {
        traced_ =
            ::ptrace(PTRACE_SEIZE, pid_, nullptr, PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC) == 0;
        ::kill(pid_, SIGCONT);
        bool started = false;
        for (;;) {
            if (::waitpid(pid_, &status, __WALL) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            if (!WIFSTOPPED(status)) {
                break;
            }
            const int signal = WSTOPSIG(status);
            const int event = status >> 16;
            if (!traced_) {
                continue;
            }
            if (event == PTRACE_EVENT_EXIT) {
                scanAtExit();
                ::ptrace(PTRACE_CONT, pid_, nullptr, nullptr);
            } else if (event == PTRACE_EVENT_EXEC) {
                noteExec();
                started = true;
                ::ptrace(PTRACE_CONT, pid_, nullptr, nullptr);
            } else if (event == PTRACE_EVENT_STOP) {
                // A stop (Ctrl+Z) holds the program as it would untraced; the first is its own
                // stop before exec.
                const bool stopSignal = signal == SIGSTOP || signal == SIGTSTP ||
                                        signal == SIGTTIN || signal == SIGTTOU;
                ::ptrace(started && stopSignal ? PTRACE_LISTEN : PTRACE_CONT, pid_, nullptr,
                         nullptr);
                started = true;
            } else {
                started = true;
                ::ptrace(PTRACE_CONT, pid_, nullptr,
                         reinterpret_cast<void*>(std::intptr_t{signal}));
            }
        }
    }
    ProgramExit ending;
    if (WIFSIGNALED(status)) {
        ending.signal = WTERMSIG(status);
    } else if (WIFEXITED(status)) {
        ending.exitCode = WEXITSTATUS(status);
    }
    {
        std::lock_guard lock(mutex_);
        exit_ = ending;
        reaped_ = true;
    }
    endedCondition_.notify_all();
}

void LaunchedProgram::scanAtExit() {
    std::vector<ReachabilityScan::Block> blocks;
    {
        // The interposer writes its Exit record before the process ends: once it is read, the
        // records are complete. Without it (the main thread alone ended, the stream broke)
        // nothing is scanned, nor after a crash: a program that crashed never got to let go of
        // what it held, so all of that counts.
        std::unique_lock lock(mutex_);
        // A program the interposer never started in has no records to wait for.
        if (!eventsRead_.wait_for(lock, kHelloWait, [this] { return live_.helloSeen(); })) {
            return;
        }
        // Records still arriving (the reader waits on a consumer that is behind) are waited
        // for as long as they keep coming.
        const auto lastWord = [this] {
            return live_.exitStatus() >= 0 || live_.crashSignal() != 0 || pipeClosed_;
        };
        std::uint64_t before = received_.load();
        bool complete = eventsRead_.wait_for(lock, kExitRecordWait, lastWord);
        while (!complete && received_.load() != before) {
            before = received_.load();
            complete = eventsRead_.wait_for(lock, kExitRecordWait, lastWord);
        }
        if (!complete || live_.exitStatus() < 0 || live_.crashSignal() != 0) {
            return;
        }
        for (const NativeLiveState::LiveItem& item : live_.liveItems()) {
            if (item.tier != MemoryTier::Descriptor) {
                blocks.push_back({item.address, item.bytes, item.allocationId});
            }
        }
    }
    try {
        // Held at its exit by this (the tracing) thread: its main thread's pointer is readable.
        std::vector<std::uint64_t> threadPointers;
        if (const std::uint64_t pointer = ReachabilityScan::threadPointerOf(pid_)) {
            threadPointers.push_back(pointer);
        }
        std::vector<AllocationId> reached =
            ReachabilityScan::reachable(pid_, std::move(blocks), threadPointers);
        std::lock_guard lock(mutex_);
        reachable_ = std::unordered_set<AllocationId>(reached.begin(), reached.end());
    } catch (const std::runtime_error&) {
        // Its memory could not be read: what it left counts as lost.
    }
}

void LaunchedProgram::noteExec() {
    ExecdImage image;
    std::error_code error;
    const std::string proc = "/proc/" + std::to_string(pid_);
    image.path = std::filesystem::read_symlink(proc + "/exe", error).string();
    std::ifstream cmdline(proc + "/cmdline", std::ios::binary);
    std::string argument;
    while (std::getline(cmdline, argument, '\0') && image.commandLine.size() < kCommandLineBytes) {
        image.commandLine += (image.commandLine.empty() ? "" : " ") + argument;
    }
    if (image.commandLine.size() > kCommandLineBytes) {
        image.commandLine.resize(kCommandLineBytes);
        image.commandLine += "...";
    }
    // The new image has not run yet: what is open now is what the exec left open.
    std::vector<int> open;
    for (const auto& entry : std::filesystem::directory_iterator(proc + "/fd", error)) {
        const std::string name = entry.path().filename().string();
        int fd = -1;
        if (std::from_chars(name.data(), name.data() + name.size(), fd).ec == std::errc()) {
            open.push_back(fd);
        }
    }
    std::lock_guard lock(mutex_);
    if (!launchExecSeen_) {
        launchExecSeen_ = true;  // the program itself, as launched
        return;
    }
    execs_.push_back(std::move(image));
    std::vector<MemoryEvent> closed;
    live_.setOutput(&closed);
    live_.descriptorsAfterExec(std::move(open));
    live_.setOutput(nullptr);
    take(closed);
}

std::vector<ExecdImage> LaunchedProgram::execs() const {
    std::lock_guard lock(mutex_);
    std::vector<ExecdImage> images = execs_;
    // Each image followed said hello on the stream: the launched one, then one per exec, and an
    // exec not followed ends the stream.
    for (std::size_t i = 0; i < images.size(); ++i) {
        images[i].followed = i + 1 < live_.hellos();
    }
    return images;
}

void LaunchedProgram::take(std::vector<MemoryEvent>& events) {
    // Called with mutex_ held.
    received_ += events.size();
    interposerDropped_ = live_.droppedRecords();
    latest_ = live_.latestNanoseconds();
    const std::size_t room = inboxCapacity_ > inbox_.size() ? inboxCapacity_ - inbox_.size() : 0;
    const std::size_t kept = std::min(room, events.size());
    inbox_.insert(inbox_.end(), events.begin(), events.begin() + static_cast<std::ptrdiff_t>(kept));
    inboxDropped_ += events.size() - kept;
}

void LaunchedProgram::waitForInboxRoom(std::unique_lock<std::mutex>& lock) {
    const std::size_t room = inboxCapacity_ > kInboxHeadroom ? inboxCapacity_ - kInboxHeadroom : 0;
    while (inbox_.size() > room && !terminating_ &&
           std::chrono::steady_clock::now() - lastDrain_ < kConsumerGone) {
        inboxDrained_.wait_for(lock, std::chrono::milliseconds(kExitPollMilliseconds));
    }
}

std::size_t LaunchedProgram::drain(std::vector<MemoryEvent>& out, std::size_t maxEvents) {
    std::lock_guard lock(mutex_);
    lastDrain_ = std::chrono::steady_clock::now();
    const std::size_t taken = std::min(maxEvents, inbox_.size());
    if (taken == 0) {
        return 0;
    }
    const auto end = inbox_.begin() + static_cast<std::ptrdiff_t>(taken);
    out.insert(out.end(), inbox_.begin(), end);
    inbox_.erase(inbox_.begin(), end);
    inboxDrained_.notify_all();
    return taken;
}

bool LaunchedProgram::inboxEmpty() const {
    std::lock_guard lock(mutex_);
    return inbox_.empty();
}

std::uint64_t LaunchedProgram::droppedEvents() const {
    return interposerDropped_.load() + inboxDropped_.load();
}

std::string LaunchedProgram::endReason() const {
    std::lock_guard lock(mutex_);
    return endReason_;
}

std::optional<ProgramExit> LaunchedProgram::exit() const {
    std::lock_guard lock(mutex_);
    return exit_;
}

void LaunchedProgram::waitUntilEnded() {
    std::unique_lock lock(mutex_);
    endedCondition_.wait(lock, [this] { return ended_.load(); });
}

void LaunchedProgram::terminate() {
    std::lock_guard lock(mutex_);
    if (reaped_ || terminating_) {
        return;  // once reaped, the pid may be another process's
    }
    terminating_ = true;
    ::kill(pid_, SIGTERM);
    killer_ = std::thread([this] {
        std::unique_lock held(mutex_);
        const bool gone =
            endedCondition_.wait_for(held, kTerminateGrace, [this] { return reaped_; });
        if (!gone) {
            ::kill(pid_, SIGKILL);
        }
    });
}

std::vector<NativeLiveState::Descriptor> LaunchedProgram::openDescriptors() const {
    std::lock_guard lock(mutex_);
    return live_.openDescriptors();
}

NativeLiveState::Totals LaunchedProgram::liveTotals() const {
    std::lock_guard lock(mutex_);
    return live_.totals();
}

std::optional<std::unordered_set<AllocationId>> LaunchedProgram::reachableAtExit() const {
    std::lock_guard lock(mutex_);
    return reachable_;
}

std::vector<LeakRecord> LaunchedProgram::leftBehind(int maxFrames) const {
    std::vector<NativeLiveState::LiveItem> items;
    {
        std::lock_guard lock(mutex_);
        items = live_.liveItems();
    }
    std::vector<LeakRecord> leaks;
    leaks.reserve(items.size());
    for (const NativeLiveState::LiveItem& item : items) {
        LeakRecord leak;
        leak.id = item.allocationId;
        leak.bytes = item.bytes;
        leak.tier = item.tier;
        leak.tag = stacks_->tagName(item.tagId);
        leak.stackId = item.stackId;
        if (item.stackId != 0) {
            leak.stack = stacks_->symbolizedStack(item.stackId, maxFrames);
        }
        leaks.push_back(std::move(leak));
    }
    return leaks;
}

}  // namespace poolscope
