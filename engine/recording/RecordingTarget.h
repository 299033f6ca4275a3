#pragma once

#include <string>

#include "recording/RecordingError.h"

namespace poolscope {

// The path holds a PoolScope recording and the writer was not asked to replace it.
class RecordingExistsError : public RecordingError {
public:
    using RecordingError::RecordingError;
};

// The file a RecordingWriter makes, guarded so that a recording never destroys anything:
//  - one writer per path at a time: an advisory lock (flock) on "<path>-lock" beside it, held
//    until the writer is done. The lock is on a file of its own, not on the recording: the
//    recording may not exist yet or is replaced by a rename while the lock must hold, and a
//    second descriptor on SQLite's own file would drop SQLite's POSIX locks when it closed.
//    A killed writer's lock goes with its process; its lock file stays and is reused.
//  - a path holding anything but a PoolScope recording (a text file, another application's
//    database, a directory) is refused, naming what it holds; an empty file holds nothing.
//  - an existing recording is replaced only when asked, and then atomically: the new one is
//    written to "<path>.partial" beside it and renamed over it once finished, so a run killed
//    meanwhile leaves the old recording whole and the new one, cut short, under that name.
class RecordingTarget {
public:
    // Throws RecordingError naming the path when another writer holds it or it holds
    // something else, RecordingExistsError when it holds a recording and !replaceExisting.
    RecordingTarget(const std::string& path, bool replaceExisting);
    // Releases the lock.
    ~RecordingTarget();
    RecordingTarget(const RecordingTarget&) = delete;
    RecordingTarget& operator=(const RecordingTarget&) = delete;

    const std::string& path() const { return path_; }
    // Where the recording is written: the path itself, or the temporary beside it.
    const std::string& writePath() const { return writePath_; }

    // Puts a finished recording, closed, in its place: renames the temporary over the path.
    // Throws RecordingError when the rename fails.
    void commit();
    // Lets the next writer have the path; the destructor does it too.
    void release();

    static constexpr const char* kPartialSuffix = ".partial";
    static constexpr const char* kLockSuffix = "-lock";

private:
    void lock();

    std::string path_;
    std::string writePath_;
    std::string lockPath_;
    int lockDescriptor_ = -1;
};

}  // namespace poolscope
