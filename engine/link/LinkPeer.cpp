#include "link/LinkPeer.h"

#include <sys/socket.h>

namespace poolscope {

std::optional<LinkPeer::Credentials> LinkPeer::credentials(int socket) {
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 ||
        length != sizeof credentials) {
        return std::nullopt;
    }
    return Credentials{credentials.pid, credentials.uid};
}

std::optional<std::string> LinkPeer::refusal(const std::optional<Credentials>& peer, uid_t ourUid) {
    if (!peer) {
        return "the peer's credentials could not be read";
    }
    if (peer->uid != ourUid) {
        return "the peer (pid " + std::to_string(peer->pid) + ") runs as user " +
               std::to_string(peer->uid) + ", not as this user (" + std::to_string(ourUid) + ")";
    }
    return std::nullopt;
}

}  // namespace poolscope
