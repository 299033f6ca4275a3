#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "native/ProcSample.h"

namespace poolscope {

// One process of this user, seen through /proc with no injection. The /proc/PID directory is
// held open from the start and every file is opened relative to it, so that once the process
// has exited every read fails (and says "process PID exited") instead of reading a newer
// process that was given the same PID. Reads throw ProcError. Safe to read from one thread at
// a time.
class ProcProcess {
public:
    // Throws ProcError: NoSuchProcess, or NotYours for a process of another user (which
    // includes this user's processes that made themselves undumpable: /proc gives them to root).
    explicit ProcProcess(pid_t pid);
    ~ProcProcess();
    ProcProcess(const ProcProcess&) = delete;
    ProcProcess& operator=(const ProcProcess&) = delete;

    pid_t pid() const { return pid_; }

    // The whole text of the file `name` under /proc/PID.
    std::string read(const char* name) const;
    ProcStatusFigures status() const;
    ProcRollupFigures rollup() const;
    std::uint32_t countDescriptors() const;
    // The command line, its arguments separated by spaces; empty once it let go of its memory.
    std::string commandLine() const;
    // status, smaps_rollup and the descriptors, stamped with the engine's clock; with
    // `rollupOf`, its smaps_rollup figures are carried instead of read again. A process that
    // exited (a zombie, or one on its way out) throws Exited, as one that is gone does.
    ProcSample sample(const ProcSample* rollupOf = nullptr) const;

private:
    [[noreturn]] void fail(int error, const char* what) const;

    pid_t pid_;
    int directory_ = -1;
};

}  // namespace poolscope
