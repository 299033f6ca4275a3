#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace poolscope {

// Who may talk over the live link: only processes of the same user. Both ends ask the kernel
// who the other is (SO_PEERCRED), so neither a program nor a viewer of another user gets in,
// whatever the socket's mode says.
class LinkPeer {
public:
    struct Credentials {
        pid_t pid = 0;
        uid_t uid = 0;
    };

    // The process at the other end of a connected Unix domain socket; none when the kernel
    // cannot say.
    static std::optional<Credentials> credentials(int socket);
    // Why this peer is refused, in words for the person; nothing when it may talk to us.
    static std::optional<std::string> refusal(const std::optional<Credentials>& peer, uid_t ourUid);
};

}  // namespace poolscope
