#pragma once

#include <stdexcept>
#include <string>

namespace poolscope {

// Raised when an image file cannot be decoded: corrupt or truncated data, an unsupported
// layout, or dimensions the allocator refuses (ImageSharp's InvalidImageContentException).
// sourceName() is what the caller named the input (usually its path); the message names it too,
// except for the degenerate-dimensions message, which is kept exactly as the reference words it.
class InvalidImageContent : public std::runtime_error {
public:
    InvalidImageContent(const std::string& message, std::string sourceName)
        : std::runtime_error(message), sourceName_(std::move(sourceName)) {}

    const std::string& sourceName() const { return sourceName_; }

private:
    std::string sourceName_;
};

}  // namespace poolscope
