#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "link/LinkSocket.h"

namespace poolscope {

class LinkViewerChannel;

// The program's end of the live link: a Unix domain socket that viewers of the same user
// connect to, and a thread of its own that streams the engine's events to the attached ones
// (LinkProtocol). The engine's producers never wait for it, nor it for a viewer: it drains the
// event stream into a bounded buffer per viewer and counts what did not fit. The event stream
// is subscribed only while a viewer is attached; stacks are captured while the server lives,
// so that allocations made before a viewer came are shown with their stacks.
//
// POOLSCOPE_LISTEN=1 in a program's environment makes its server when the program starts
// (LinkAutoStart.cpp), publishing LinkDirectory::socketPath(pid).
class LinkServer {
public:
    struct Options {
        std::string socketPath;  // empty: this process's socket in LinkDirectory
        std::size_t viewerBufferBytes = std::size_t{32} << 20;
        std::size_t eventQueueCapacity = std::size_t{1} << 18;
        std::chrono::milliseconds drainInterval{2};
        std::chrono::milliseconds statusInterval{100};
        // At stop, how long what is buffered may take to reach the viewers.
        std::chrono::milliseconds finalFlush{200};
    };

    // Listens at once; throws std::runtime_error naming the socket or folder that failed.
    explicit LinkServer(Options options);
    // stop().
    ~LinkServer();
    LinkServer(const LinkServer&) = delete;
    LinkServer& operator=(const LinkServer&) = delete;

    // Sends what was published until now and a goodbye, then closes the socket and removes
    // it. Waits for the thread at most finalFlush and a little more.
    void stop();

    const std::string& socketPath() const { return socketPath_; }
    std::size_t attachedViewers() const { return attachedViewers_.load(); }
    // Events that did not fit a viewer's buffer, over all viewers so far.
    std::uint64_t droppedEvents() const { return droppedEvents_.load(); }
    // Why viewers were sent away (a broken protocol, another user), newest last.
    std::vector<std::string> refusals() const;

    // The server POOLSCOPE_LISTEN=1 made at start, or null.
    static LinkServer* processServer();
    // Makes the process's server when the environment asks for it. A failure is said once on
    // standard error; the program goes on without a link.
    static void startFromEnvironment();

private:
    void run();
    void accept();
    void attach(LinkViewerChannel& viewer);
    void drainEvents();
    void sendStatus();
    void finish();
    void refuse(const std::string& why);
    std::int64_t now() const;

    Options options_;
    std::int64_t startTime_;
    std::string socketPath_;
    LinkSocket listener_;
    int wakeRead_ = -1;
    int wakeWrite_ = -1;
    std::unique_ptr<MemoryDiagnostics::Subscription> stackCapture_;

    // The thread's own.
    std::vector<std::unique_ptr<LinkViewerChannel>> viewers_;
    std::unique_ptr<EventStream::Subscription> subscription_;
    std::vector<MemoryEvent> batch_;
    std::vector<std::uint8_t> encoded_;
    std::uint64_t poolGeneration_ = 0;
    std::uint64_t closedDropped_ = 0;  // by viewers gone
    std::chrono::steady_clock::time_point lastStatus_;

    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> attachedViewers_{0};
    std::atomic<std::uint64_t> droppedEvents_{0};
    mutable std::mutex mutex_;
    std::condition_variable finished_;
    bool done_ = false;
    std::vector<std::string> refusals_;
    std::thread thread_;
};

}  // namespace poolscope
