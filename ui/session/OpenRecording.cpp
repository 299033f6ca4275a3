#include "OpenRecording.h"

#include <sys/stat.h>

#include <ctime>

#include "recording/RecordingReader.h"

namespace poolscope {

namespace {

std::int64_t nanosecondsOf(const struct timespec& time) {
    return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

}  // namespace

OpenRecording::Identity OpenRecording::identityOf(const std::string& path) {
    Identity identity;
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

std::shared_ptr<OpenRecording> OpenRecording::of(const std::string& path,
                                                 const std::shared_ptr<OpenRecording>& kept) {
    const Identity identity = identityOf(path);
    if (kept && kept->path_ == path && kept->identity_ == identity) {
        return kept;
    }
    return std::shared_ptr<OpenRecording>(new OpenRecording(path, identity));
}

OpenRecording::OpenRecording(const std::string& path, const Identity& identity)
    : path_(path), identity_(identity), reader_(std::make_unique<RecordingReader>(path)) {}

OpenRecording::~OpenRecording() = default;

StackNames& OpenRecording::names() {
    if (!names_) {
        names_.emplace(StackNames::of(*reader_));
    }
    return *names_;
}

}  // namespace poolscope
