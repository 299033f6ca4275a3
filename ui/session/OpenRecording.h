#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "analysis/StackNames.h"
#include "recording/FileIdentity.h"

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
    OpenRecording(const std::string& path, const FileIdentity& identity);

    std::string path_;
    FileIdentity identity_;
    std::mutex inUse_;
    std::unique_ptr<RecordingReader> reader_;
    std::optional<StackNames> names_;
};

}  // namespace poolscope
