#pragma once

#include <stdexcept>
#include <string>

namespace poolscope {

// Why a process could not be read through /proc. The message is for the person who asked
// ("process 1234 exited"); the kind is for the caller to choose what to do (an exit status, a
// lane that stops).
class ProcError : public std::runtime_error {
public:
    enum class Kind {
        NoSuchProcess,  // no /proc/PID when it was opened
        NotYours,       // another user's process: its memory figures are not ours to read
        Exited,         // it was opened, and has exited since
        Unreadable,     // /proc refused a read for another reason (permissions, a kernel without
                        // smaps_rollup)
        Malformed,      // a file's text was not what the kernel writes; names file and line
    };

    ProcError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

}  // namespace poolscope
