#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "analysis/StackNames.h"

namespace poolscope {

class RecordingReader;

// A recording kept open between its analyses: its reader and its stacks' names, which each
// time range selected needs again and which take most of a second for a recording of 1 GB to
// make afresh (SQLite's check of every page as it opens; the frames of every stack). One
// analysis uses it at a time (inUse()): a reader's statements and decoders are not shared
// between threads.
class OpenRecording {
public:
    // The recording at `path`: `kept` when it is that file, unchanged since it was opened (a
    // recording still being written has grown), otherwise opened afresh; throws
    // RecordingError as RecordingReader does.
    static std::shared_ptr<OpenRecording> of(const std::string& path,
                                             const std::shared_ptr<OpenRecording>& kept);

    ~OpenRecording();
    OpenRecording(const OpenRecording&) = delete;
    OpenRecording& operator=(const OpenRecording&) = delete;

    // Held while the reader or the names are in use.
    std::mutex& inUse() { return inUse_; }
    const RecordingReader& reader() const { return *reader_; }
    // Every stack's names, read on first use.
    StackNames& names();

private:
    // What tells a file changed: which file the path names (one written anew in its place is
    // another), the sizes and modification times of it and of its write-ahead log, where the
    // writer of a recording still being written commits.
    struct Identity {
        std::uint64_t device = 0;
        std::uint64_t inode = 0;
        std::int64_t bytes = -1;
        std::int64_t modified = -1;
        std::int64_t logBytes = -1;
        std::int64_t logModified = -1;
        bool operator==(const Identity&) const = default;
    };
    static Identity identityOf(const std::string& path);

    OpenRecording(const std::string& path, const Identity& identity);

    std::string path_;
    Identity identity_;
    std::mutex inUse_;
    std::unique_ptr<RecordingReader> reader_;
    std::optional<StackNames> names_;
};

}  // namespace poolscope
