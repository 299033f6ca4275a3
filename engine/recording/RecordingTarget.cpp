#include "recording/RecordingTarget.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "recording/RecordingSchema.h"

namespace poolscope {

namespace {

constexpr char kSqliteMagic[] = "SQLite format 3";  // with its NUL, the header's first 16 bytes
constexpr std::size_t kApplicationIdOffset = 68;    // big-endian, in the database header

// What a path holds that a recording would destroy, in words for an error; nothing when the
// path is free (missing or empty) or holds a PoolScope recording (`*recording` set).
std::optional<std::string> foreignContent(const std::string& path, bool* recording) {
    namespace fs = std::filesystem;
    *recording = false;
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (!fs::exists(status)) {
        return std::nullopt;
    }
    if (fs::is_directory(status)) {
        return "a directory";
    }
    if (!fs::is_regular_file(status)) {
        return "a special file";
    }
    const std::uintmax_t size = fs::file_size(path, error);
    // An empty file holds nothing, unless a write-ahead log beside it holds a database
    // that was never copied into it: what that is cannot be told from the file.
    if (size == 0) {
        if (!fs::exists(path + "-wal", error)) {
            return std::nullopt;
        }
        return "an empty database file with a write-ahead log (" + path + "-wal) beside it";
    }
    std::array<unsigned char, kApplicationIdOffset + 4> header{};
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return "a file that cannot be read (" + std::string(std::strerror(errno)) + ")";
    }
    file.read(reinterpret_cast<char*>(header.data()), header.size());
    const auto read = static_cast<std::size_t>(file.gcount());
    if (read < sizeof kSqliteMagic ||
        std::memcmp(header.data(), kSqliteMagic, sizeof kSqliteMagic) != 0) {
        return "a file of " + std::to_string(size) + " bytes that is not an SQLite database";
    }
    if (read < header.size()) {
        return "a truncated SQLite database of " + std::to_string(size) + " bytes";
    }
    std::uint32_t applicationId = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        applicationId = (applicationId << 8) | header[kApplicationIdOffset + i];
    }
    if (applicationId == static_cast<std::uint32_t>(RecordingSchema::kApplicationId)) {
        *recording = true;
        return std::nullopt;
    }
    return applicationId == 0 ? std::string("an SQLite database of some other kind")
                              : "the SQLite database of another application (id " +
                                    std::to_string(applicationId) + ")";
}

// A write-ahead log and its index left by an earlier database of this name would be replayed
// into the new one.
void removeDatabase(const std::string& path, bool withMainFile) {
    if (withMainFile) {
        std::remove(path.c_str());
    }
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
}

}  // namespace

RecordingTarget::RecordingTarget(const std::string& path, bool replaceExisting)
    : path_(path), writePath_(path), lockPath_(path + kLockSuffix) {
    lock();
    try {
        bool recording = false;
        if (const std::optional<std::string> content = foreignContent(path, &recording)) {
            throw RecordingError("refusing to record to " + path + ": it holds " + *content +
                                 ", not a PoolScope recording");
        }
        if (recording && !replaceExisting) {
            throw RecordingExistsError("refusing to record to " + path +
                                       ": it holds a PoolScope recording already");
        }
        if (recording) {
            writePath_ = path + kPartialSuffix;
            removeDatabase(writePath_, true);
        } else {
            removeDatabase(path, false);
        }
    } catch (...) {
        release();
        throw;
    }
}

RecordingTarget::~RecordingTarget() {
    release();
}

void RecordingTarget::release() {
    if (lockDescriptor_ < 0) {
        return;
    }
    // Removed while still held, so that a writer that opened it meanwhile finds the name gone
    // once it has the lock (lock() checks the name still is the file it locked).
    unlink(lockPath_.c_str());
    close(lockDescriptor_);
    lockDescriptor_ = -1;
}

void RecordingTarget::lock() {
    for (;;) {
        const int descriptor = open(lockPath_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (descriptor < 0) {
            throw RecordingError("cannot record to " + path_ + ": cannot create its lock file " +
                                 lockPath_ + ": " + std::strerror(errno));
        }
        if (flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            close(descriptor);
            if (error == EWOULDBLOCK) {
                throw RecordingError("cannot record to " + path_ +
                                     ": another run is recording to it (it holds " + lockPath_ +
                                     ")");
            }
            throw RecordingError("cannot record to " + path_ + ": cannot lock " + lockPath_ + ": " +
                                 std::strerror(error));
        }
        // The holder before may have removed the name between our open and our lock: then
        // the lock is on a file nobody else will look at, and the name is taken again.
        struct stat locked {};
        struct stat named {};
        if (fstat(descriptor, &locked) == 0 && stat(lockPath_.c_str(), &named) == 0 &&
            locked.st_dev == named.st_dev && locked.st_ino == named.st_ino) {
            lockDescriptor_ = descriptor;
            return;
        }
        close(descriptor);
    }
}

void RecordingTarget::commit() {
    if (writePath_ == path_) {
        return;
    }
    // The old recording's own log, if it was cut short, must not be replayed into the new one.
    removeDatabase(path_, false);
    if (std::rename(writePath_.c_str(), path_.c_str()) != 0) {
        throw RecordingError("cannot put the finished recording " + writePath_ + " in place of " +
                             path_ + ": " + std::strerror(errno));
    }
    removeDatabase(writePath_, false);
}

}  // namespace poolscope
