#include "native/ProcProcess.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/Clock.h"
#include "native/ProcError.h"
#include "native/ProcText.h"

namespace poolscope {

ProcProcess::ProcProcess(pid_t pid) : pid_(pid) {
    if (pid <= 0) {
        throw ProcError(ProcError::Kind::NoSuchProcess,
                        "no process " + std::to_string(pid) + ": a PID is a number from 1");
    }
    const std::string path = "/proc/" + std::to_string(pid);
    directory_ = open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (directory_ < 0) {
        const int error = errno;
        if (error == ENOENT || error == ESRCH) {
            throw ProcError(ProcError::Kind::NoSuchProcess,
                            "no process " + std::to_string(pid) + " (nothing in /proc)");
        }
        throw ProcError(ProcError::Kind::Unreadable,
                        "cannot open " + path + ": " + std::strerror(error));
    }
    struct stat owner {};
    if (fstat(directory_, &owner) != 0) {
        const int error = errno;
        close(directory_);
        throw ProcError(ProcError::Kind::Unreadable,
                        "cannot read the owner of " + path + ": " + std::strerror(error));
    }
    if (owner.st_uid != getuid()) {
        close(directory_);
        throw ProcError(ProcError::Kind::NotYours,
                        "process " + std::to_string(pid) + " belongs to user id " +
                            std::to_string(owner.st_uid) + ", not to you (" +
                            std::to_string(getuid()) + "): only your own processes can be sampled");
    }
}

ProcProcess::~ProcProcess() {
    close(directory_);
}

void ProcProcess::fail(int error, const char* what) const {
    // A dead process's directory answers ESRCH (or ENOENT for its entries) from then on.
    if (error == ESRCH || error == ENOENT) {
        throw ProcError(ProcError::Kind::Exited, "process " + std::to_string(pid_) + " exited");
    }
    throw ProcError(ProcError::Kind::Unreadable, "cannot read /proc/" + std::to_string(pid_) + "/" +
                                                     what + ": " + std::strerror(error));
}

std::string ProcProcess::read(const char* name) const {
    const int file = openat(directory_, name, O_RDONLY | O_CLOEXEC);
    if (file < 0) {
        fail(errno, name);
    }
    std::string text;
    // Files like smaps_rollup are consistent only within one read: ask for all at once.
    char buffer[16384];
    for (;;) {
        const ssize_t got = ::read(file, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            const int error = errno;
            close(file);
            fail(error, name);
        }
        if (got == 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(got));
    }
    close(file);
    return text;
}

ProcStatusFigures ProcProcess::status() const {
    return ProcText::parseStatus(read("status"));
}

ProcRollupFigures ProcProcess::rollup() const {
    const std::string text = read("smaps_rollup");
    // Once the process has let go of its memory on the way out, the file is empty.
    if (text.empty()) {
        fail(ESRCH, "smaps_rollup");
    }
    return ProcText::parseSmapsRollup(text);
}

std::uint32_t ProcProcess::countDescriptors() const {
    const int listing = openat(directory_, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing < 0) {
        fail(errno, "fd");
    }
    DIR* entries = fdopendir(listing);
    if (entries == nullptr) {
        const int error = errno;
        close(listing);
        fail(error, "fd");
    }
    std::uint32_t count = 0;
    while (const dirent* entry = readdir(entries)) {
        if (entry->d_name[0] != '.') {
            ++count;
        }
    }
    closedir(entries);
    return count;
}

std::string ProcProcess::commandLine() const {
    std::string text = read("cmdline");
    while (!text.empty() && text.back() == '\0') {
        text.pop_back();
    }
    std::replace(text.begin(), text.end(), '\0', ' ');
    return text;
}

ProcSample ProcProcess::sample(const ProcSample* rollupOf) const {
    ProcSample sample;
    sample.timeNanoseconds = monotonicNanoseconds();
    // Descriptors before status: an exiting process closes its descriptors after it let go of
    // its memory, so a count made while it closed them is followed by a status without memory
    // lines, and the sample is not taken rather than showing descriptors that were closing.
    sample.descriptors = countDescriptors();
    sample.status = status();
    if (sample.status.exited) {
        fail(ESRCH, "status");
    }
    if (rollupOf != nullptr) {
        sample.rollup = rollupOf->rollup;
        sample.rollupTimeNanoseconds = rollupOf->rollupTimeNanoseconds;
    } else {
        sample.rollup = rollup();
        sample.rollupTimeNanoseconds = sample.timeNanoseconds;
    }
    return sample;
}

}  // namespace poolscope
