#include "link/LinkDirectory.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "link/LinkDecoder.h"
#include "link/LinkSocket.h"

namespace poolscope {

std::string LinkDirectory::path() {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (runtime != nullptr && runtime[0] == '/') {
        return std::string(runtime) + "/poolscope";
    }
    return "/tmp/poolscope-" + std::to_string(::geteuid());
}

std::optional<std::string> LinkDirectory::problemWith(const struct stat& status, uid_t ourUid) {
    if (!S_ISDIR(status.st_mode)) {
        return std::string("it is not a folder");
    }
    if (status.st_uid != ourUid) {
        return "it belongs to user " + std::to_string(status.st_uid) + ", not to this user (" +
               std::to_string(ourUid) + ")";
    }
    if ((status.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
        return "its mode is " + std::string(mode) + ": others can enter it (0700 expected)";
    }
    return std::nullopt;
}

std::string LinkDirectory::ensure() {
    const std::string folder = path();
    if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
        throw std::runtime_error("cannot make " + folder + ": " + std::strerror(errno));
    }
    struct stat status {};
    // lstat: a symbolic link planted in the folder's place is not followed.
    if (::lstat(folder.c_str(), &status) != 0) {
        throw std::runtime_error("cannot look at " + folder + ": " + std::strerror(errno));
    }
    if (const auto problem = problemWith(status, ::geteuid())) {
        throw std::runtime_error("will not publish in " + folder + ": " + *problem);
    }
    return folder;
}

std::string LinkDirectory::socketPath(pid_t pid) {
    return path() + "/" + std::to_string(pid) + ".sock";
}

LinkProcessInfo LinkDirectory::ask(const std::string& socketPath,
                                   std::chrono::milliseconds timeout) {
    LinkSocket socket = LinkSocket::connectTo(socketPath);
    LinkEncoder::Bytes hello;
    LinkEncoder::hello(hello);
    if (!socket.writeAll(hello, timeout)) {
        throw std::runtime_error(socketPath + " did not take the hello");
    }
    LinkDecoder decoder;
    std::uint8_t buffer[4096];
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const long count = socket.readSome(buffer, std::max(left, std::chrono::milliseconds(0)));
        if (count <= 0) {
            throw std::runtime_error(socketPath + " did not say who it is");
        }
        decoder.feed(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(count)));
        if (std::optional<LinkFrame> frame = decoder.next()) {
            if (auto* info = std::get_if<LinkProcessInfo>(&*frame)) {
                return std::move(*info);
            }
            throw std::runtime_error(socketPath + " began with a " +
                                     linkFrameTypeName(linkFrameType(*frame)) +
                                     " frame instead of saying who it is");
        }
    }
}

std::vector<ListedProgram> LinkDirectory::listPrograms(std::chrono::milliseconds timeout) {
    std::vector<ListedProgram> programs;
    std::error_code error;
    const std::string own = socketPath(::getpid());
    for (const auto& entry : std::filesystem::directory_iterator(path(), error)) {
        const std::string socket = entry.path().string();
        if (entry.path().extension() != ".sock" || socket == own) {
            continue;
        }
        try {
            programs.push_back({socket, ask(socket, timeout)});
        } catch (const std::exception&) {
            // Nobody listens there any more (a program that was killed): the socket is stale.
            if (::access(socket.c_str(), F_OK) == 0) {
                try {
                    LinkSocket::connectTo(socket);
                } catch (const std::runtime_error& refused) {
                    if (std::strstr(refused.what(), "Connection refused") != nullptr) {
                        std::filesystem::remove(entry.path(), error);
                    }
                }
            }
        }
    }
    std::sort(programs.begin(), programs.end(), [](const ListedProgram& a, const ListedProgram& b) {
        return a.info.startTimeSeconds != b.info.startTimeSeconds
                   ? a.info.startTimeSeconds > b.info.startTimeSeconds
                   : a.info.pid > b.info.pid;
    });
    return programs;
}

}  // namespace poolscope
