#include "Tracker.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "CrashHandler.h"
#include "HookScope.h"
#include "ModuleTable.h"
#include "PacketWriter.h"
#include "RealFunctions.h"
#include "RecordChannel.h"
#include "StackTable.h"
#include "ThreadState.h"
#include "TrackingState.h"

namespace poolscope::preload {

namespace wire = poolscope::PreloadWire;

namespace {

// Frames of the interposer itself (hook, tracker, unwinder entry) above the caller's: asked for
// in addition to the depth wanted, then cut off by address.
constexpr int kOwnFramesSlack = 8;
constexpr std::uint32_t kDefaultStackDepth = 64;
constexpr long kFlushIntervalNanoseconds = 20'000'000;
constexpr long kDefaultDropAfterMilliseconds = 200;

PacketWriter gWriter;
RecordChannel gChannel;
StackTable gStacks;
ModuleTable gModules;
std::uint32_t gStackDepth = kDefaultStackDepth;
std::uint64_t gSelfStart = 0;
std::uint64_t gSelfEnd = 0;
std::atomic<bool> gExitHandlerRegistered{false};
pid_t gTrackedPid = 0;

std::int64_t nanosecondsOf(clockid_t clock) {
    timespec time;
    clock_gettime(clock, &time);
    return std::int64_t{time.tv_sec} * 1'000'000'000 + time.tv_nsec;
}

// A record's time: the monotonic clock as of the kernel's last tick. Reading the clock to the
// nanosecond costs a quarter of a hook where the time source is read through a hypervisor;
// the stream's order, not its times, says what came first.
std::int64_t recordNanoseconds() {
    return nanosecondsOf(CLOCK_MONOTONIC_COARSE);
}

template <typename Record>
wire::RecordHeader headerFor(wire::RecordKind kind, std::uint8_t call, std::size_t tailBytes = 0) {
    return {kind, call, static_cast<std::uint16_t>(sizeof(Record) + tailBytes), currentThreadId(),
            recordNanoseconds()};
}

struct Stack {
    std::uint64_t frames[wire::kMaxStackFrames];
    std::uint32_t depth = 0;
};

// The caller's stack, innermost first, without the interposer's own frames: the hooks' at the
// inner end, and at the outer end the __libc_start_main wrapper that calls the program's main
// (kept as a frame of its own where the compiler does not make that call a tail call).
void capture(Stack& stack) {
    stack.depth = 0;
    if (gStackDepth == 0) {
        return;
    }
    void* raw[wire::kMaxStackFrames + kOwnFramesSlack];
    const int count = unw_backtrace(raw, static_cast<int>(gStackDepth) + kOwnFramesSlack);
    for (int i = 0; i < count && stack.depth < gStackDepth; ++i) {
        const auto address = reinterpret_cast<std::uint64_t>(raw[i]);
        if (address < gSelfStart || address >= gSelfEnd) {
            stack.frames[stack.depth++] = address;
        }
    }
}

void appendModule(const ModuleTable::Module& module) {
    wire::ModuleRecord record{};
    record.header = headerFor<wire::ModuleRecord>(wire::RecordKind::Module, 0, module.pathBytes);
    record.index = module.index;
    record.pathBytes = module.pathBytes;
    record.loadAddress = module.loadAddress;
    record.startAddress = module.startAddress;
    record.endAddress = module.endAddress;
    gChannel.append(&record, sizeof record, module.path, module.pathBytes);
}

// Announces, under the append lock, the modules of `stack` not announced yet. True when it
// appended any (the append may have let go of the lock meanwhile).
bool announceModules(const Stack& stack) {
    bool announced = false;
    for (std::uint32_t i = 0; i < stack.depth; ++i) {
        ModuleTable::Module* module = gModules.find(stack.frames[i]);
        if (module != nullptr && !module->sent) {
            appendModule(*module);
            module->sent = true;
            announced = true;
        }
    }
    return announced;
}

// Appends the record at `record` (`recordBytes` long, its stack id field at `stackId`) after the
// stack it names, which is announced first when new, with its modules before it: a reader
// always meets a stack and its modules before the first record naming them.
void appendWithStack(const void* record, std::size_t recordBytes, std::uint32_t& stackId,
                     const Stack& stack) {
    if (stack.depth == 0) {
        stackId = 0;
        gChannel.lock();
        gChannel.append(record, recordBytes);
        gChannel.unlock();
        return;
    }
    std::uint64_t hash = StackTable::hash(stack.frames, stack.depth, gModules.epoch());
    gChannel.lock();
    StackTable::Entry* entry = gStacks.intern(stack.frames, stack.depth, hash);
    if (entry != nullptr && !entry->sent) {
        // A new stack may lie in an object loaded since the last look: read the loader's list
        // with no lock held.
        gChannel.unlock();
        if (gModules.collectIfChanged()) {
            gChannel.lock();
            gModules.merge();
            gChannel.unlock();
        }
        hash = StackTable::hash(stack.frames, stack.depth, gModules.epoch());
        gChannel.lock();
    }
    const std::size_t stackBytes =
        sizeof(wire::StackRecord) + std::size_t{stack.depth} * sizeof(std::uint64_t);
    for (;;) {
        entry = gStacks.intern(stack.frames, stack.depth, hash);
        if (entry == nullptr) {
            stackId = 0;
            gChannel.append(record, recordBytes);
            break;
        }
        if (entry->sent) {
            stackId = entry->id;
            gChannel.append(record, recordBytes);
            break;
        }
        if (announceModules(stack)) {
            continue;
        }
        // The stack and its record go into one buffer, so that the entry stays valid (the
        // table may grow whenever the lock is let go) until it is marked sent.
        if (!gChannel.roomFor(stackBytes + recordBytes)) {
            gChannel.makeRoom();
            if (!TrackingState::active()) {
                break;
            }
            continue;
        }
        wire::StackRecord header{};
        header.header = headerFor<wire::StackRecord>(wire::RecordKind::Stack, 0,
                                                     stackBytes - sizeof(wire::StackRecord));
        header.stackId = entry->id;
        header.depth = stack.depth;
        gChannel.append(&header, sizeof header, stack.frames, stackBytes - sizeof header);
        entry->sent = true;
        stackId = entry->id;
        gChannel.append(record, recordBytes);
        break;
    }
    gChannel.unlock();
}

template <typename Record>
void appendPlain(const Record& record, const void* tail = nullptr, std::size_t tailBytes = 0) {
    gChannel.lock();
    gChannel.append(&record, sizeof record, tail, tailBytes);
    gChannel.unlock();
}

// A whole number from the environment, or `fallback` when it is absent or not one.
long numberFromEnvironment(const char* variable, long fallback) {
    const char* value = getenv(variable);
    if (value == nullptr || *value == '\0') {
        return fallback;
    }
    char* end = nullptr;
    const long number = strtol(value, &end, 10);
    return *end == '\0' && number >= 0 ? number : fallback;
}

void forkPrepare() {
    if (TrackingState::active() && !tThread.forking) {
        tThread.forking = true;
        gChannel.lockForFork();
    }
}

void forkParent() {
    if (tThread.forking) {
        tThread.forking = false;
        gChannel.unlockAfterFork();
    }
}

// The child is not followed: it stops at once and gives back its copy of the stream, so the
// launcher sees the end of the stream when the program itself ends.
void forkChild() {
    TrackingState::set(Phase::Stopped);
    if (tThread.forking) {
        tThread.forking = false;
        gChannel.unlockAfterFork();
    }
    tThread.threadId = 0;
    gWriter.close();
}

void exitAfterEverything(int status, void*) {
    HookScope scope(true);
    Tracker::exiting(status);
}

// Whether `fd` is the pipe or socket kStreamVariable names (any, when it names none).
bool isLaunchersStream(int fd) {
    const char* identity = getenv(wire::kStreamVariable);
    if (identity == nullptr || *identity == '\0') {
        return true;
    }
    char* end = nullptr;
    const unsigned long long device = strtoull(identity, &end, 10);
    if (*end != ':') {
        return false;
    }
    const unsigned long long inode = strtoull(end + 1, &end, 10);
    struct stat status;
    return *end == '\0' && fstat(fd, &status) == 0 && status.st_dev == device &&
           status.st_ino == inode;
}

// Reads the environment, takes the stream and says hello. Runs once, on the thread that
// resolved the real functions, with that thread busy.
void start() {
    const char* value = getenv(wire::kFdVariable);
    if (value == nullptr || *value == '\0') {
        return;
    }
    char* end = nullptr;
    const long fd = strtol(value, &end, 10);
    if (*end != '\0' || fd < 0 || fd > 0x7fffffff) {
        return;
    }
    // A program exec'd by the tracked one inherits the variable but not the descriptor (it is
    // close-on-exec): a number that is closed, not a pipe or socket, or another pipe than the
    // launcher's leaves it untracked.
    if (!isLaunchersStream(static_cast<int>(fd)) || !gWriter.adopt(static_cast<int>(fd))) {
        return;
    }
    const long dropAfter =
        numberFromEnvironment(wire::kDropAfterVariable, kDefaultDropAfterMilliseconds);
    if (!gChannel.initialize(gWriter, std::int64_t{dropAfter} * 1'000'000) ||
        !gStacks.initialize() || !gModules.initialize()) {
        gWriter.close();
        return;
    }
    const long depth = numberFromEnvironment(wire::kStackDepthVariable, kDefaultStackDepth);
    gStackDepth = depth > long{wire::kMaxStackFrames} ? wire::kMaxStackFrames
                                                      : static_cast<std::uint32_t>(depth);
    ModuleTable::rangeOf(reinterpret_cast<const void*>(&capture), gSelfStart, gSelfEnd);
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);

    wire::Hello hello{};
    std::memcpy(hello.magic, wire::kMagic, sizeof hello.magic);
    hello.version = wire::kVersion;
    gTrackedPid = getpid();
    hello.pid = static_cast<std::uint32_t>(gTrackedPid);
    hello.startNanoseconds = nanosecondsOf(CLOCK_MONOTONIC);
    hello.pageBytes = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    if (gChannel.writeRaw(&hello, sizeof hello) != PacketWriter::Outcome::Written) {
        gWriter.close();
        return;
    }
    pthread_atfork(forkPrepare, forkParent, forkChild);
    CrashHandler::install();
    TrackingState::set(Phase::Active);
}

void* flusherMain(void*) {
    tThread.busy = true;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    while (TrackingState::active()) {
        const timespec interval{0, kFlushIntervalNanoseconds};
        nanosleep(&interval, nullptr);
        if (TrackingState::active()) {
            gChannel.flush();
        }
    }
    return nullptr;
}

}  // namespace

// A vfork child shares the program's memory, and so the interposer's, until it execs or exits:
// its exec and _exit are its own, not the program's, and must not end the program's stream.
bool Tracker::inTrackedProcess() {
    return getpid() == gTrackedPid;
}

bool Tracker::ensureResolved() {
    if (TrackingState::resolved()) {
        return true;
    }
    if (tThread.resolving) {
        return false;
    }
    if (TrackingState::beginResolving()) {
        tThread.resolving = true;
        real.resolve();
        tThread.resolving = false;
        TrackingState::set(Phase::Inert);
        const bool wasBusy = tThread.busy;
        tThread.busy = true;
        start();
        tThread.busy = wasBusy;
        return true;
    }
    while (!TrackingState::resolved()) {
        sched_yield();
    }
    return true;
}

void Tracker::heapAllocated(wire::HeapCall call, const void* address, std::size_t bytes,
                            std::size_t alignment) {
    Stack stack;
    capture(stack);
    wire::Allocation record{};
    record.header =
        headerFor<wire::Allocation>(wire::RecordKind::Allocate, static_cast<std::uint8_t>(call));
    record.address = reinterpret_cast<std::uint64_t>(address);
    record.bytes = bytes;
    record.alignment = static_cast<std::uint32_t>(alignment);
    appendWithStack(&record, sizeof record, record.stackId, stack);
}

void Tracker::heapReleased(wire::HeapCall call, const void* address) {
    wire::Release record{};
    record.header =
        headerFor<wire::Release>(wire::RecordKind::Free, static_cast<std::uint8_t>(call));
    record.address = reinterpret_cast<std::uint64_t>(address);
    appendPlain(record);
}

void Tracker::mapped(const void* address, std::size_t bytes, int protection, int flags, int fd) {
    Stack stack;
    capture(stack);
    wire::Mapping record{};
    record.header = headerFor<wire::Mapping>(wire::RecordKind::Map, 0);
    record.address = reinterpret_cast<std::uint64_t>(address);
    record.bytes = bytes;
    record.protection = protection;
    record.flags = flags;
    record.fd = fd;
    appendWithStack(&record, sizeof record, record.stackId, stack);
}

void Tracker::unmapped(const void* address, std::size_t bytes) {
    wire::Unmapping record{};
    record.header = headerFor<wire::Unmapping>(wire::RecordKind::Unmap, 0);
    record.address = reinterpret_cast<std::uint64_t>(address);
    record.bytes = bytes;
    appendPlain(record);
}

void Tracker::remapped(const void* oldAddress, std::size_t oldBytes, const void* newAddress,
                       std::size_t newBytes) {
    Stack stack;
    capture(stack);
    wire::Remapping record{};
    record.header = headerFor<wire::Remapping>(wire::RecordKind::Remap, 0);
    record.oldAddress = reinterpret_cast<std::uint64_t>(oldAddress);
    record.oldBytes = oldBytes;
    record.newAddress = reinterpret_cast<std::uint64_t>(newAddress);
    record.newBytes = newBytes;
    appendWithStack(&record, sizeof record, record.stackId, stack);
}

void Tracker::descriptorOpened(wire::DescriptorCall call, int fd, const char* path) {
    Stack stack;
    capture(stack);
    const std::size_t length = path != nullptr ? strnlen(path, wire::kMaxPathBytes) : 0;
    // The path follows the record in the stream, so it travels as the record's tail; the
    // stack goes first, as for every record naming one.
    struct Opened {
        wire::DescriptorOpened record;
        char path[wire::kMaxPathBytes];
    } opened{};
    opened.record.header = headerFor<wire::DescriptorOpened>(
        wire::RecordKind::DescriptorOpen, static_cast<std::uint8_t>(call), length);
    opened.record.fd = fd;
    opened.record.pathBytes = static_cast<std::uint32_t>(length);
    std::memcpy(opened.path, path != nullptr ? path : "", length);
    appendWithStack(&opened, sizeof opened.record + length, opened.record.stackId, stack);
}

void Tracker::descriptorClosed(wire::DescriptorCall call, int fd) {
    wire::DescriptorClosed record{};
    record.header = headerFor<wire::DescriptorClosed>(wire::RecordKind::DescriptorClose,
                                                      static_cast<std::uint8_t>(call));
    record.fd = fd;
    appendPlain(record);
}

void Tracker::detachForkedChild() {
    if (!TrackingState::active()) {
        return;
    }
    TrackingState::set(Phase::Stopped);
    tThread.threadId = 0;
    gWriter.close();
}

void Tracker::forked(std::int64_t childPid) {
    wire::ProcessEvent record{};
    record.header = headerFor<wire::ProcessEvent>(wire::RecordKind::Fork, 0);
    record.value = childPid;
    appendPlain(record);
}

bool Tracker::aboutToExec(bool follow) {
    if (!inTrackedProcess()) {
        return false;
    }
    wire::ProcessEvent record{};
    record.header = headerFor<wire::ProcessEvent>(wire::RecordKind::Exec, 0);
    appendPlain(record);
    if (!follow) {
        gChannel.flush();
        return false;
    }
    gChannel.holdForExec();
    if (fcntl(gWriter.descriptor(), F_SETFD, 0) != 0) {
        gChannel.releaseAfterExec();
        return false;
    }
    return true;
}

void Tracker::execFailed(int error, bool held) {
    if (held) {
        fcntl(gWriter.descriptor(), F_SETFD, FD_CLOEXEC);
        gChannel.releaseAfterExec();
    }
    if (!inTrackedProcess()) {
        return;
    }
    wire::ProcessEvent record{};
    record.header = headerFor<wire::ProcessEvent>(wire::RecordKind::Exec, 0);
    record.value = error;
    appendPlain(record);
}

void Tracker::exiting(std::int64_t status) {
    if (!TrackingState::active() || !inTrackedProcess()) {
        return;
    }
    wire::ProcessEvent record{};
    record.header = headerFor<wire::ProcessEvent>(wire::RecordKind::Exit, 0);
    record.value = status;
    // Stopped with the Exit record appended, under the lock: what other threads still do comes
    // after the end of the stream and is not sent.
    gChannel.lock();
    gChannel.append(&record, sizeof record);
    const bool stopped = TrackingState::stop();
    gChannel.unlock();
    gChannel.flush();
    if (stopped) {
        gWriter.close();
    }
}

void Tracker::crashed(int signal) {
    wire::ProcessEvent record{};
    record.header = headerFor<wire::ProcessEvent>(wire::RecordKind::Crash, 0);
    record.value = signal;
    gChannel.flushFromSignal(&record, sizeof record);
    TrackingState::stop();
}

void Tracker::flush() {
    gChannel.flush();
}

bool Tracker::ownsDescriptor(int fd) {
    return TrackingState::active() && gWriter.owns(fd);
}

int Tracker::streamDescriptor() {
    return TrackingState::active() ? gWriter.descriptor() : -1;
}

void Tracker::moveDescriptorOff(int fd) {
    if (!ownsDescriptor(fd)) {
        return;
    }
    gChannel.withWriter([](PacketWriter& writer) {
        if (!writer.moveAway()) {
            TrackingState::stop();
            writer.close();
        }
        return true;
    });
}

void Tracker::programStarting() {
    // The C library registers the loader's finalization (every library's destructors) when it
    // starts the program; exit handlers run in the reverse order of their registration.
    if (on_exit(exitAfterEverything, nullptr) == 0) {
        gExitHandlerRegistered.store(true);
    }
}

void Tracker::startFlusher() {
    if (!ensureResolved() || !TrackingState::active()) {
        return;
    }
    HookScope scope(true);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    pthread_create(&thread, &attributes, flusherMain, nullptr);
    pthread_attr_destroy(&attributes);
}

void Tracker::finish() {
    HookScope scope(true);
    if (gExitHandlerRegistered.load()) {
        // What was recorded so far leaves now, in case a destructor still to run crashes.
        if (TrackingState::active() && inTrackedProcess()) {
            gChannel.flush();
        }
        return;
    }
    // The program was not started through the C library's entry (nothing registered): its
    // status is not known here.
    exiting(0);
}

}  // namespace poolscope::preload
