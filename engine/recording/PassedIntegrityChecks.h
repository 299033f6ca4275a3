#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "recording/FileIdentity.h"

namespace poolscope {

// The recordings whose integrity check (SQLite's quick_check, which reads every page: most of
// a second for a recording of 1 GB) passed in this process, as they were then: a file opened
// again unchanged, as the window opens a recording for each analysis, is not checked again.
// Two readers opening the same file at once check it once: the second waits for the first's
// check. A check that failed or ran out of time is not remembered, nor one of a file written
// just before it.
class PassedIntegrityChecks {
public:
    // How long before a check a file must have been left alone for its check to be
    // remembered: longer than the coarsest modification times of a file system that holds a
    // recording (FAT's two seconds).
    static constexpr std::chrono::seconds kSettled{3};

    static PassedIntegrityChecks& instance();

    // Runs `check` on the file at `path` unless a check of it, as it is now, passed before (or
    // passes meanwhile on another thread). `check` returns whether it checked every page and
    // found nothing wrong, and throws what it found; it is remembered only while the file's
    // identity stayed the same from before to after the check.
    void checkOnce(const std::string& path, const std::function<bool()>& check);

private:
    struct Entry {
        std::string path;
        FileIdentity identity;
        bool checking = false;  // a thread is checking it; else it passed
    };
    // The most remembered: a window opens a few recordings, a test run a few hundred.
    static constexpr std::size_t kRemembered = 64;

    Entry* find(const std::string& path, const FileIdentity& identity);
    void forget(const std::string& path, const FileIdentity& identity);

    std::mutex mutex_;
    std::condition_variable checked_;
    std::vector<Entry> entries_;  // oldest first
};

}  // namespace poolscope
