#include "link/LinkViewerChannel.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/ModuleMap.h"
#include "diagnostics/StackTable.h"

namespace poolscope {

namespace {

// Control frames may overrun a full buffer by this much, so that a status still reaches a
// viewer that stalled, while one that never reads cannot grow it without bound.
constexpr std::size_t kControlAllowance = 256 * 1024;

bool makesAllocation(MemoryEventKind kind) {
    return kind == MemoryEventKind::Rent || kind == MemoryEventKind::UnpooledAllocate ||
           kind == MemoryEventKind::SmallRent;
}

void encodeEvents(std::span<const MemoryEvent> events, LinkEncoder::Bytes& out) {
    for (std::size_t at = 0; at < events.size(); at += LinkProtocol::kMaxEventsPerFrame) {
        LinkEncoder::events(out, events.subspan(at));
    }
}

}  // namespace

LinkViewerChannel::LinkViewerChannel(LinkSocket socket, std::size_t bufferBytes)
    : socket_(std::move(socket)), bufferBytes_(bufferBytes) {
    socket_.setNonBlocking();
    LinkEncoder::hello(out_);
}

void LinkViewerChannel::close(const std::string& error) {
    if (!closed_) {
        closed_ = true;
        error_ = error;
        socket_ = LinkSocket();
    }
}

bool LinkViewerChannel::readControl() {
    bool attachedNow = false;
    std::uint8_t buffer[4096];
    while (!closed_) {
        const ssize_t count = ::recv(socket_.fd(), buffer, sizeof buffer, MSG_DONTWAIT);
        if (count == 0 ||
            (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            close({});
            break;
        }
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        try {
            decoder_.feed(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(count)));
            while (std::optional<LinkFrame> frame = decoder_.next()) {
                if (!std::holds_alternative<LinkAttach>(*frame)) {
                    throw LinkProtocolError(std::string("a viewer sent a ") +
                                            linkFrameTypeName(linkFrameType(*frame)) +
                                            " frame, which only programs send");
                }
                attachedNow = attachedNow || !attached_;
                attached_ = true;
            }
        } catch (const LinkProtocolError& error) {
            close(error.what());
        }
    }
    return attachedNow && !closed_;
}

void LinkViewerChannel::flush() {
    while (!closed_ && hasOutput()) {
        const ssize_t count = ::send(socket_.fd(), out_.data() + read_, out_.size() - read_,
                                     MSG_DONTWAIT | MSG_NOSIGNAL);
        if (count > 0) {
            read_ += static_cast<std::size_t>(count);
        } else if (count < 0 && errno == EINTR) {
            continue;
        } else if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            close({});
        }
    }
    if (read_ == out_.size()) {
        out_.clear();
        read_ = 0;
    }
}

void LinkViewerChannel::flushUntil(std::chrono::steady_clock::time_point deadline) {
    flush();
    while (!closed_ && hasOutput()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd entry{socket_.fd(), POLLOUT, 0};
        if (left.count() <= 0 || ::poll(&entry, 1, static_cast<int>(left.count())) <= 0) {
            return;
        }
        flush();
    }
}

bool LinkViewerChannel::fits(std::size_t bytes) const {
    return out_.size() - read_ + bytes <= bufferBytes_;
}

void LinkViewerChannel::append(const LinkEncoder::Bytes& bytes) {
    if (read_ > 0 && read_ * 2 >= out_.size()) {
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(read_));
        read_ = 0;
    }
    out_.insert(out_.end(), bytes.begin(), bytes.end());
}

void LinkViewerChannel::sendControl(const LinkFrame& frame) {
    scratch_.clear();
    LinkEncoder::frame(scratch_, frame);
    if (out_.size() - read_ + scratch_.size() <= bufferBytes_ + kControlAllowance) {
        append(scratch_);
    }
}

void LinkViewerChannel::sendPools(const std::vector<PoolDescription>& pools) {
    for (const PoolDescription& pool : pools) {
        if (pools_.insert(pool.sourceId).second) {
            sendControl(
                LinkPool{pool.sourceId, pool.capacityChunks, pool.chunkBytes, pool.name});
        }
    }
}

void LinkViewerChannel::defineFor(std::span<const MemoryEvent> events, LinkEncoder::Bytes& out) {
    for (const MemoryEvent& event : events) {
        const std::uint16_t tag = event.tagId();
        if (makesAllocation(event.kind) && tag != 0 && tags_.insert(tag).second) {
            pendingTags_.push_back(tag);
            LinkEncoder::frame(out, LinkTag{tag, MemoryDiagnostics::tagName(tag)});
        }
        if (event.stackId == 0 || !stacks_.insert(event.stackId).second) {
            continue;
        }
        pendingStacks_.push_back(event.stackId);
        LinkStack stack{event.stackId, {}};
        for (const std::uintptr_t address : StackTable::instance().frames(event.stackId)) {
            LinkStackFrame frame{address, std::nullopt, 0};
            // The module of the call, one byte before the return address; the offset is the
            // return address's, as recordings keep it.
            if (const auto location = ModuleMap::instance().locate(address - 1)) {
                frame.module = location->module;
                frame.offset = location->offset + 1;
                if (modules_.insert(location->module).second) {
                    pendingModules_.push_back(location->module);
                    LinkEncoder::frame(out,
                                       LinkModule{location->module,
                                                  ModuleMap::instance().module(location->module)});
                }
            }
            stack.frames.push_back(frame);
        }
        LinkEncoder::frame(out, stack);
    }
}

void LinkViewerChannel::commitDefinitions() {
    pendingStacks_.clear();
    pendingModules_.clear();
    pendingTags_.clear();
}

void LinkViewerChannel::sendLiveAllocations(std::span<const MemoryEvent> made) {
    for (const MemoryEvent& event : made) {
        sentLive_.insert(event.allocationId);
        highestSentLive_ = std::max(highestSentLive_, event.allocationId);
    }
    scratch_.clear();
    defineFor(made, scratch_);
    commitDefinitions();
    encodeEvents(made, scratch_);
    append(scratch_);
}

void LinkViewerChannel::offer(std::span<const MemoryEvent> events,
                              std::span<const std::uint8_t> encoded) {
    if (closed_ || !attached_ || events.empty()) {
        return;
    }
    scratch_.clear();
    if (!sentLive_.empty()) {
        const auto sentAlready = [this](const MemoryEvent& event) {
            return makesAllocation(event.kind) && event.allocationId <= highestSentLive_ &&
                   sentLive_.contains(event.allocationId);
        };
        if (std::any_of(events.begin(), events.end(), sentAlready)) {
            filtered_.clear();
            std::copy_if(events.begin(), events.end(), std::back_inserter(filtered_),
                         [&](const MemoryEvent& event) { return !sentAlready(event); });
            events = filtered_;
            LinkEncoder::Bytes reencoded;
            encodeEvents(events, reencoded);
            defineFor(events, scratch_);
            scratch_.insert(scratch_.end(), reencoded.begin(), reencoded.end());
            encoded = {};
        }
    }
    if (!encoded.empty()) {
        defineFor(events, scratch_);
    }
    if (!fits(scratch_.size() + encoded.size())) {
        for (const StackId id : pendingStacks_) {
            stacks_.erase(id);
        }
        for (const std::uint32_t id : pendingModules_) {
            modules_.erase(id);
        }
        for (const std::uint16_t id : pendingTags_) {
            tags_.erase(id);
        }
        commitDefinitions();
        dropped_ += events.size();
        return;
    }
    commitDefinitions();
    append(scratch_);
    out_.insert(out_.end(), encoded.begin(), encoded.end());
}

}  // namespace poolscope
