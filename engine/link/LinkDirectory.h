#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "link/LinkProtocol.h"

namespace poolscope {

// A program listening on the live link, as the Attach dialog lists it.
struct ListedProgram {
    std::string socketPath;
    LinkProcessInfo info;
};

// Where programs publish their live-link sockets: one folder per user, $XDG_RUNTIME_DIR/poolscope
// (or /tmp/poolscope-UID when XDG_RUNTIME_DIR is unset), mode 0700 and owned by the user, a
// socket per program named after its pid.
class LinkDirectory {
public:
    static std::string path();
    // The folder, made (0700) when missing. Throws std::runtime_error naming the folder when
    // it is not a folder of this user that only this user can enter.
    static std::string ensure();
    static std::string socketPath(pid_t pid);
    // Why a folder with this status is not safe to publish in; nothing when it is.
    static std::optional<std::string> problemWith(const struct stat& status, uid_t ourUid);

    // The programs listening now, other than this one, each asked who it is (waiting at most
    // `timeout` for each). Sockets no program listens on any more are removed.
    static std::vector<ListedProgram> listPrograms(std::chrono::milliseconds timeout);
    // Asks the program at `socketPath` who it is; throws std::runtime_error when it cannot.
    static LinkProcessInfo ask(const std::string& socketPath, std::chrono::milliseconds timeout);
};

}  // namespace poolscope
