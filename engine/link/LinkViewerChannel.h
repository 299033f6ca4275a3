#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "diagnostics/PoolDirectory.h"
#include "link/LinkDecoder.h"
#include "link/LinkProtocol.h"
#include "link/LinkSocket.h"

namespace poolscope {

// The program's side of one viewer: what the viewer said, and a bounded buffer of what is on
// its way to it. The program never waits for the viewer: a batch of events that does not fit
// the buffer is dropped for this viewer and counted, and the count goes out with the next
// status. Stacks, modules and tags go out once per viewer, with the first batch that names
// them and that fits. Used by the LinkServer's thread only.
class LinkViewerChannel {
public:
    LinkViewerChannel(LinkSocket socket, std::size_t bufferBytes);

    int fd() const { return socket_.fd(); }
    bool attached() const { return attached_; }
    bool closed() const { return closed_; }
    // Why the channel closed, when the viewer broke the protocol.
    const std::string& error() const { return error_; }
    bool hasOutput() const { return read_ < out_.size(); }
    std::uint64_t droppedEvents() const { return dropped_; }

    // Reads what the viewer sent; true when it asked to attach with this read.
    bool readControl();
    // Sends what fits in the socket now, without waiting.
    void flush();
    // Sends until everything went or the deadline passed: the program's last words at exit.
    void flushUntil(std::chrono::steady_clock::time_point deadline);
    void close(const std::string& error);

    // Frames that must arrive (who the program is, pools, status, goodbye): they pass the
    // bound, which control frames can overrun only by a little.
    void sendControl(const LinkFrame& frame);
    void sendPools(const std::vector<PoolDescription>& pools);
    // The allocations live when the viewer attached, as the events that made them; queued
    // events that made one of them again are left out later.
    void sendLiveAllocations(std::span<const MemoryEvent> made);
    // A drained batch, already encoded as Events frames in `encoded`.
    void offer(std::span<const MemoryEvent> events, std::span<const std::uint8_t> encoded);

private:
    // The definitions this viewer lacks for `events`, appended to `out`; the ids are kept in
    // the pending lists until the batch is taken.
    void defineFor(std::span<const MemoryEvent> events, LinkEncoder::Bytes& out);
    void commitDefinitions();
    bool fits(std::size_t bytes) const;
    void append(const LinkEncoder::Bytes& bytes);

    LinkSocket socket_;
    std::size_t bufferBytes_;
    LinkDecoder decoder_;
    bool attached_ = false;
    bool closed_ = false;
    std::string error_;

    LinkEncoder::Bytes out_;
    std::size_t read_ = 0;
    std::uint64_t dropped_ = 0;

    std::unordered_set<StackId> stacks_;
    std::unordered_set<std::uint32_t> modules_;
    std::unordered_set<std::uint16_t> tags_;
    std::vector<StackId> pendingStacks_;
    std::vector<std::uint32_t> pendingModules_;
    std::vector<std::uint16_t> pendingTags_;
    std::unordered_set<std::uint16_t> pools_;

    std::unordered_set<AllocationId> sentLive_;
    AllocationId highestSentLive_ = 0;
    std::vector<MemoryEvent> filtered_;
    LinkEncoder::Bytes scratch_;
};

}  // namespace poolscope
