#pragma once

#include <stdexcept>
#include <string>

namespace poolscope {

// Raised for every refused or illegal memory operation: negative or over-limit sizes, size
// overflow, rows that do not fit a chunk, access after dispose. The message names the numbers.
class InvalidMemoryOperation : public std::runtime_error {
public:
    explicit InvalidMemoryOperation(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace poolscope
