#include "recording/FileIdentity.h"

#include <sys/stat.h>

#include <ctime>

namespace poolscope {

namespace {

std::int64_t nanosecondsOf(const struct timespec& time) {
    return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

}  // namespace

FileIdentity FileIdentity::of(const std::string& path) {
    FileIdentity identity;
    struct stat status {};
    if (::stat(path.c_str(), &status) == 0) {
        identity.device = static_cast<std::uint64_t>(status.st_dev);
        identity.inode = static_cast<std::uint64_t>(status.st_ino);
        identity.bytes = static_cast<std::int64_t>(status.st_size);
        identity.modified = nanosecondsOf(status.st_mtim);
    }
    // An empty log is no log: a reader opening the file makes one.
    if (::stat((path + "-wal").c_str(), &status) == 0 && status.st_size > 0) {
        identity.logBytes = static_cast<std::int64_t>(status.st_size);
        identity.logModified = nanosecondsOf(status.st_mtim);
    }
    return identity;
}

}  // namespace poolscope
