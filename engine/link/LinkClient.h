#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "link/LinkDecoder.h"
#include "link/LinkProtocol.h"
#include "link/LinkSocket.h"
#include "link/LinkStackTable.h"

namespace poolscope {

// The viewer's end of the live link: attaches to a program's socket and reads its stream on a
// thread of its own, so that whoever shows the events only ever takes what has arrived. Events
// wait in a bounded inbox; what does not fit is counted. A program that exits, is killed or
// breaks the protocol ends the link; what arrived stays to be taken. Thread-safe.
class LinkClient {
public:
    static constexpr std::size_t kDefaultInboxEvents = std::size_t{1} << 20;

    // Connects, checks the program is of this user, and attaches, waiting at most `timeout`
    // for the program to say who it is. Throws std::runtime_error (LinkProtocolError for a
    // peer that does not speak the link) naming the socket and what went wrong.
    explicit LinkClient(const std::string& socketPath,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000),
                        std::size_t inboxEvents = kDefaultInboxEvents);
    // detach().
    ~LinkClient();
    LinkClient(const LinkClient&) = delete;
    LinkClient& operator=(const LinkClient&) = delete;

    // Leaves the program running and stops reading.
    void detach();

    const std::string& socketPath() const { return socketPath_; }
    const LinkProcessInfo& process() const { return process_; }
    const std::shared_ptr<const LinkStackTable>& stacks() const { return stacksView_; }

    // Appends the events that arrived since the last call.
    std::size_t drain(std::vector<MemoryEvent>& out);
    // Pools announced since the last call.
    std::vector<LinkPool> takePools();
    LinkStatus status() const;
    // Events that arrived while the inbox was full.
    std::uint64_t inboxDroppedEvents() const { return inboxDropped_.load(); }
    std::uint64_t receivedEvents() const { return received_.load(); }

    // The link ended: the program exited or was killed, broke the protocol, or was detached.
    bool ended() const { return ended_.load(); }
    // Why it ended, for the person: empty while it lasts.
    std::string endReason() const;
    // The program said goodbye (a normal exit) before the link ended.
    bool programExited() const { return goodbye_.load(); }

private:
    void read();
    void handle(LinkFrame& frame);
    void end(const std::string& reason);

    std::string socketPath_;
    LinkSocket socket_;
    LinkProcessInfo process_;
    std::size_t inboxCapacity_;
    std::shared_ptr<LinkStackTable> stacks_;
    std::shared_ptr<const LinkStackTable> stacksView_;
    LinkDecoder decoder_;  // made with the greeting, then the reader thread's

    mutable std::mutex mutex_;
    std::vector<MemoryEvent> inbox_;
    std::vector<LinkPool> pools_;
    LinkStatus status_;
    std::string endReason_;

    std::atomic<std::uint64_t> inboxDropped_{0};
    std::atomic<std::uint64_t> received_{0};
    std::atomic<bool> ended_{false};
    std::atomic<bool> goodbye_{false};
    std::atomic<bool> detaching_{false};
    std::thread thread_;
};

}  // namespace poolscope
