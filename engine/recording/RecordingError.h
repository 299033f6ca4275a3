#pragma once

#include <stdexcept>
#include <string>

namespace poolscope {

// A recording that cannot be written or read. The message names the file and says what is
// wrong with it (missing, not a database, not a PoolScope recording, truncated, corrupt).
class RecordingError : public std::runtime_error {
public:
    explicit RecordingError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace poolscope
