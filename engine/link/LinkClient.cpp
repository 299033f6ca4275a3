#include "link/LinkClient.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace poolscope {

namespace {

constexpr std::size_t kReadBytes = 256 * 1024;

}  // namespace

LinkClient::LinkClient(const std::string& socketPath, std::chrono::milliseconds timeout,
                       std::size_t inboxEvents)
    : socketPath_(socketPath),
      socket_(LinkSocket::connectTo(socketPath)),
      inboxCapacity_(inboxEvents),
      stacks_(std::make_shared<LinkStackTable>()),
      stacksView_(stacks_) {
    LinkEncoder::Bytes greeting;
    LinkEncoder::hello(greeting);
    LinkEncoder::frame(greeting, LinkAttach{});
    if (!socket_.writeAll(greeting, timeout)) {
        throw std::runtime_error(socketPath + " did not take the request to attach");
    }
    // The program says who it is first; anything else first is not a PoolScope program.
    std::vector<std::uint8_t> buffer(4096);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const long count = socket_.readSome(buffer, std::max(left, std::chrono::milliseconds(0)));
        if (count <= 0) {
            throw std::runtime_error(socketPath + " did not say who it is");
        }
        decoder_.feed(
            std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(count)));
        if (std::optional<LinkFrame> frame = decoder_.next()) {
            auto* info = std::get_if<LinkProcessInfo>(&*frame);
            if (info == nullptr) {
                throw LinkProtocolError(socketPath + " began with a " +
                                        linkFrameTypeName(linkFrameType(*frame)) +
                                        " frame instead of saying who it is");
            }
            process_ = std::move(*info);
            status_.programNanoseconds = process_.programNanoseconds;
            break;
        }
    }
    thread_ = std::thread([this] { read(); });
}

LinkClient::~LinkClient() {
    detach();
}

void LinkClient::detach() {
    if (detaching_.exchange(true)) {
        return;
    }
    // Wakes the reader out of its blocking read; the program sees the viewer leave.
    ::shutdown(socket_.fd(), SHUT_RDWR);
    if (thread_.joinable()) {
        thread_.join();
    }
    end("detached");
}

void LinkClient::end(const std::string& reason) {
    std::lock_guard lock(mutex_);
    if (!ended_.load()) {
        endReason_ = reason;
        ended_.store(true);
    }
}

std::string LinkClient::endReason() const {
    std::lock_guard lock(mutex_);
    return endReason_;
}

void LinkClient::read() {
    std::vector<std::uint8_t> buffer(kReadBytes);
    try {
        // Frames that came with the greeting first.
        while (std::optional<LinkFrame> frame = decoder_.next()) {
            handle(*frame);
        }
        for (;;) {
            const ssize_t count = ::recv(socket_.fd(), buffer.data(), buffer.size(), 0);
            if (count < 0 && errno == EINTR) {
                continue;
            }
            if (count <= 0) {
                if (detaching_.load()) {
                    end("detached");
                } else if (goodbye_.load()) {
                    end("the program exited");
                } else {
                    end(count == 0 ? "the program ended without saying goodbye (killed or crashed)"
                                   : "the link broke: " + std::string(std::strerror(errno)));
                }
                return;
            }
            decoder_.feed(
                std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(count)));
            while (std::optional<LinkFrame> frame = decoder_.next()) {
                handle(*frame);
            }
        }
    } catch (const LinkProtocolError& error) {
        end("the program broke the live link and was disconnected: " + std::string(error.what()));
        ::shutdown(socket_.fd(), SHUT_RDWR);
    }
}

void LinkClient::handle(LinkFrame& frame) {
    if (auto* events = std::get_if<LinkEvents>(&frame)) {
        received_.fetch_add(events->events.size());
        std::lock_guard lock(mutex_);
        const std::size_t room = inboxCapacity_ - std::min(inboxCapacity_, inbox_.size());
        const std::size_t taken = std::min(room, events->events.size());
        inbox_.insert(inbox_.end(), events->events.begin(),
                      events->events.begin() + static_cast<std::ptrdiff_t>(taken));
        inboxDropped_.fetch_add(events->events.size() - taken);
    } else if (auto* stack = std::get_if<LinkStack>(&frame)) {
        stacks_->add(*stack);
    } else if (auto* module = std::get_if<LinkModule>(&frame)) {
        stacks_->add(*module);
    } else if (auto* tag = std::get_if<LinkTag>(&frame)) {
        stacks_->add(*tag);
    } else if (auto* pool = std::get_if<LinkPool>(&frame)) {
        std::lock_guard lock(mutex_);
        pools_.push_back(std::move(*pool));
    } else if (auto* status = std::get_if<LinkStatus>(&frame)) {
        std::lock_guard lock(mutex_);
        status_ = *status;
    } else if (std::holds_alternative<LinkGoodbye>(frame)) {
        goodbye_.store(true);
    } else {
        throw LinkProtocolError(std::string("unexpected ") +
                                linkFrameTypeName(linkFrameType(frame)) + " frame before offset " +
                                std::to_string(decoder_.offset()));
    }
}

std::size_t LinkClient::drain(std::vector<MemoryEvent>& out) {
    std::lock_guard lock(mutex_);
    const std::size_t count = inbox_.size();
    if (out.empty()) {
        std::swap(out, inbox_);
    } else {
        out.insert(out.end(), inbox_.begin(), inbox_.end());
    }
    inbox_.clear();
    return count;
}

std::vector<LinkPool> LinkClient::takePools() {
    std::lock_guard lock(mutex_);
    return std::exchange(pools_, {});
}

LinkStatus LinkClient::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

}  // namespace poolscope
