#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "link/LinkProtocol.h"

namespace poolscope {

// What was wrong with the bytes a peer sent, in words that name it and where it lies in the
// stream: "bad magic", "version 7 (this PoolScope speaks 1)", "unknown frame type 42 at
// offset 1024", "frame length 99999999 over the limit of 2097152 at offset 12".
class LinkProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Turns the bytes of one direction of a link, as they arrive in pieces of any size, into
// frames. Whatever a peer sends, it either yields whole, checked frames or throws
// LinkProtocolError: lengths are checked against their limits before anything is kept for
// them, so a peer cannot make it hold more than one frame's limit. After an error it stays
// failed and throws the same error again.
class LinkDecoder {
public:
    void feed(std::span<const std::uint8_t> bytes);
    // The next whole frame, or nothing until more bytes come.
    std::optional<LinkFrame> next();

    bool helloSeen() const { return helloSeen_; }
    // Bytes of the stream taken as whole frames so far.
    std::uint64_t offset() const { return consumed_ + read_; }
    // Bytes fed but not yet taken as a frame.
    std::size_t pendingBytes() const { return buffer_.size() - read_; }

private:
    [[noreturn]] void fail(const std::string& message);
    void compact();

    std::vector<std::uint8_t> buffer_;
    std::size_t read_ = 0;
    std::uint64_t consumed_ = 0;  // bytes dropped from the front of buffer_
    bool helloSeen_ = false;
    std::optional<std::string> error_;
};

}  // namespace poolscope
