#include "link/LinkServer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>
#include <stdexcept>

#include "base/Clock.h"
#include "diagnostics/ModuleMap.h"
#include "diagnostics/PoolDirectory.h"
#include "diagnostics/StackTable.h"
#include "link/LinkDirectory.h"
#include "link/LinkPeer.h"
#include "link/LinkViewerChannel.h"

namespace poolscope {

namespace {

// Events are offered to the viewers in batches of this many (256 KiB on the wire): a viewer
// whose buffer is full loses one batch, not a burst, and one that reads again soon loses none.
constexpr std::size_t kBatchEvents = 4096;

LinkServer* g_processServer = nullptr;
pid_t g_processServerPid = 0;

std::string describeAllocators(const std::vector<PoolDescription>& pools) {
    std::string text;
    for (const PoolDescription& pool : pools) {
        if (!text.empty()) {
            text += ", ";
        }
        text += pool.name + " (" + std::to_string(pool.capacityChunks) + " × " +
                std::to_string(pool.chunkBytes >> 20) + " MiB)";
    }
    return text;
}

// The events that made an allocation, as they would have come had the viewer listened then. A
// pooled group's chunks are whole pool chunks but the last (chunkBytes 0: its pool is gone, and
// the bytes are shared out evenly).
void appendMadeEvents(const AllocationInfo& info, std::uint64_t chunkBytes,
                      std::vector<MemoryEvent>& out) {
    MemoryEvent event;
    event.timeNanoseconds = info.timeNanoseconds;
    event.allocationId = info.id;
    event.stackId = info.stackId;
    event.threadId = info.threadId;
    event.sourceId = info.sourceId;
    event.tier = info.tier;
    event.value = info.tagId;
    if (info.tier == MemoryTier::Pooled && !info.chunkSlots.empty()) {
        const auto count = static_cast<std::uint32_t>(info.chunkSlots.size());
        for (std::uint32_t i = 0; i < count; ++i) {
            event.kind = MemoryEventKind::Rent;
            event.slot = info.chunkSlots[i];
            event.chunkIndex = i;
            event.chunkCount = count;
            const bool whole = chunkBytes > 0 && info.bytes > chunkBytes * (count - 1);
            const std::uint64_t share = whole ? chunkBytes : info.bytes / count;
            event.bytes = i + 1 < count ? share : info.bytes - share * (count - 1);
            out.push_back(event);
        }
        return;
    }
    event.kind = info.tier == MemoryTier::Small ? MemoryEventKind::SmallRent
                                                : MemoryEventKind::UnpooledAllocate;
    event.bytes = info.bytes;
    event.chunkCount = 1;
    out.push_back(event);
}

void stopProcessServer() {
    // A forked child inherited the pointer but not the thread.
    if (g_processServer != nullptr && ::getpid() == g_processServerPid) {
        // Stopped and its thread joined: a thread left unjoined at exit is a leak to the
        // sanitizers and to anyone reading the process's end.
        delete std::exchange(g_processServer, nullptr);
    }
}

}  // namespace

LinkServer::LinkServer(Options options)
    : options_(std::move(options)), startTime_(static_cast<std::int64_t>(std::time(nullptr))) {
    socketPath_ = options_.socketPath.empty()
                      ? (LinkDirectory::ensure(), LinkDirectory::socketPath(::getpid()))
                      : options_.socketPath;
    listener_ = LinkSocket::listenAt(socketPath_);
    int pipe[2];
    if (::pipe2(pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        ::unlink(socketPath_.c_str());
        throw std::runtime_error("cannot make the live link's wake-up pipe: " +
                                 std::string(std::strerror(errno)));
    }
    wakeRead_ = pipe[0];
    wakeWrite_ = pipe[1];
    stackCapture_ = MemoryDiagnostics::enableStackCapture();
    lastStatus_ = std::chrono::steady_clock::now();
    thread_ = std::thread([this] { run(); });
}

LinkServer::~LinkServer() {
    stop();
    if (thread_.joinable()) {
        thread_.join();
    }
    ::close(wakeRead_);
    ::close(wakeWrite_);
}

void LinkServer::stop() {
    if (stopping_.exchange(true)) {
        return;
    }
    const char wake = 1;
    [[maybe_unused]] const ssize_t written = ::write(wakeWrite_, &wake, 1);
    std::unique_lock lock(mutex_);
    finished_.wait_for(lock, options_.finalFlush + std::chrono::milliseconds(300),
                       [this] { return done_; });
}

std::vector<std::string> LinkServer::refusals() const {
    std::lock_guard lock(mutex_);
    return refusals_;
}

void LinkServer::refuse(const std::string& why) {
    std::lock_guard lock(mutex_);
    refusals_.push_back(why);
}

std::int64_t LinkServer::now() const {
    return monotonicNanoseconds();
}

void LinkServer::run() {
    std::vector<pollfd> polled;
    while (!stopping_.load()) {
        polled.clear();
        polled.push_back({wakeRead_, POLLIN, 0});
        polled.push_back({listener_.fd(), POLLIN, 0});
        for (const auto& viewer : viewers_) {
            polled.push_back({viewer->fd(),
                              static_cast<short>(POLLIN | (viewer->hasOutput() ? POLLOUT : 0)), 0});
        }
        const auto wait = subscription_ ? options_.drainInterval : options_.statusInterval;
        ::poll(polled.data(), polled.size(), static_cast<int>(wait.count()));
        if (polled[1].revents & POLLIN) {
            accept();
        }
        for (std::size_t i = 0; i + 2 < polled.size() && i < viewers_.size(); ++i) {
            LinkViewerChannel& viewer = *viewers_[i];
            if ((polled[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) && viewer.readControl()) {
                attach(viewer);
            }
        }
        drainEvents();
        if (std::chrono::steady_clock::now() - lastStatus_ >= options_.statusInterval) {
            sendStatus();
        }
        std::uint64_t dropped = closedDropped_;
        std::size_t attached = 0;
        for (auto& viewer : viewers_) {
            viewer->flush();
            if (viewer->closed() && !viewer->error().empty()) {
                refuse(viewer->error());
            }
            dropped += viewer->droppedEvents();
            attached += viewer->attached() && !viewer->closed() ? 1 : 0;
        }
        for (const auto& viewer : viewers_) {
            closedDropped_ += viewer->closed() ? viewer->droppedEvents() : 0;
        }
        std::erase_if(viewers_, [](const auto& viewer) { return viewer->closed(); });
        droppedEvents_.store(dropped);
        attachedViewers_.store(attached);
        if (attached == 0 && subscription_) {
            subscription_.reset();
        }
    }
    finish();
}

void LinkServer::accept() {
    for (;;) {
        LinkSocket socket(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!socket.valid()) {
            return;
        }
        if (const auto refused =
                LinkPeer::refusal(LinkPeer::credentials(socket.fd()), ::geteuid())) {
            refuse("refused a viewer: " + *refused);
            continue;
        }
        auto viewer =
            std::make_unique<LinkViewerChannel>(std::move(socket), options_.viewerBufferBytes);
        viewer->sendControl(LinkProcessInfo{static_cast<std::uint32_t>(::getpid()), startTime_,
                                            now(), program_invocation_short_name,
                                            describeAllocators(PoolDirectory::pools())});
        viewers_.push_back(std::move(viewer));
    }
}

void LinkServer::attach(LinkViewerChannel& viewer) {
    // Subscribed before the live allocations are listed, so that nothing made in between is
    // missed; what the queue repeats of the list is left out by the channel.
    if (!subscription_) {
        subscription_ = EventStream::subscribe(options_.eventQueueCapacity);
    }
    const std::vector<PoolDescription> pools = PoolDirectory::pools();
    viewer.sendPools(pools);
    std::vector<MemoryEvent> made;
    for (const AllocationInfo& info : MemoryDiagnostics::liveAllocations()) {
        const auto pool = std::find_if(pools.begin(), pools.end(), [&](const auto& candidate) {
            return candidate.sourceId == info.sourceId;
        });
        appendMadeEvents(info, pool == pools.end() ? 0 : pool->chunkBytes, made);
    }
    viewer.sendLiveAllocations(made);
    viewer.sendControl(LinkStatus{now(), subscription_->droppedCount(), viewer.droppedEvents(),
                                  MemoryDiagnostics::totalUndisposedAllocationCount()});
}

void LinkServer::drainEvents() {
    const std::uint64_t generation = PoolDirectory::generation();
    if (generation != poolGeneration_) {
        poolGeneration_ = generation;
        const std::vector<PoolDescription> pools = PoolDirectory::pools();
        for (auto& viewer : viewers_) {
            if (viewer->attached()) {
                viewer->sendPools(pools);
            }
        }
    }
    if (!subscription_) {
        return;
    }
    for (;;) {
        batch_.clear();
        subscription_->drain(batch_, kBatchEvents);
        if (batch_.empty()) {
            return;
        }
        encoded_.clear();
        LinkEncoder::events(encoded_, batch_);
        for (auto& viewer : viewers_) {
            viewer->offer(batch_, encoded_);
        }
        if (batch_.size() < kBatchEvents) {
            return;
        }
    }
}

void LinkServer::sendStatus() {
    lastStatus_ = std::chrono::steady_clock::now();
    const std::uint64_t engineDropped = subscription_ ? subscription_->droppedCount() : 0;
    const std::int64_t undisposed = MemoryDiagnostics::totalUndisposedAllocationCount();
    for (auto& viewer : viewers_) {
        if (viewer->attached()) {
            viewer->sendControl(
                LinkStatus{now(), engineDropped, viewer->droppedEvents(), undisposed});
        }
    }
}

void LinkServer::finish() {
    drainEvents();
    sendStatus();
    for (auto& viewer : viewers_) {
        viewer->sendControl(LinkGoodbye{});
    }
    const auto deadline = std::chrono::steady_clock::now() + options_.finalFlush;
    for (auto& viewer : viewers_) {
        viewer->flushUntil(deadline);
    }
    viewers_.clear();
    subscription_.reset();
    listener_ = LinkSocket();
    ::unlink(socketPath_.c_str());
    std::lock_guard lock(mutex_);
    done_ = true;
    finished_.notify_all();
}

LinkServer* LinkServer::processServer() {
    return g_processServer;
}

void LinkServer::startFromEnvironment() {
    const char* listen = std::getenv("POOLSCOPE_LISTEN");
    if (listen == nullptr || std::strcmp(listen, "1") != 0 || g_processServer != nullptr) {
        return;
    }
    // The tables the server's thread reads are made before its exit hook is registered, so
    // that the hook runs before they are destroyed.
    StackTable::instance();
    ModuleMap::instance();
    try {
        g_processServer = new LinkServer(Options{});  // lives as long as the process
    } catch (const std::exception& error) {
        std::fprintf(stderr, "poolscope: POOLSCOPE_LISTEN: no live link: %s\n", error.what());
        return;
    }
    g_processServerPid = ::getpid();
    std::atexit(stopProcessServer);
}

}  // namespace poolscope
