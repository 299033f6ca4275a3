// libFuzzer entry for RecordingReader: the input, written to a file, either reads through every
// query the window makes (readThrough) consistently, or raises a RecordingError that names the
// file. Anything else (a crash, a sanitizer report, another exception, pages that go
// backwards, an error that does not name the file) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "RecordingReadThrough.h"
#include "recording/RecordingError.h"

namespace {

const std::string& scratchPath() {
    static const std::string path =
        (std::filesystem::temp_directory_path() /
         ("poolscope-recording-fuzz-" + std::to_string(getpid()) + ".psrec"))
            .string();
    return path;
}

// The file and whatever SQLite left beside it (a read-only open of a write-ahead-log database
// makes an empty log and its index).
void removeScratch() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::error_code ignored;
        std::filesystem::remove(scratchPath() + suffix, ignored);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    removeScratch();
    {
        std::ofstream file(scratchPath(), std::ios::binary);
        file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        if (!poolscope::testing::readThrough(scratchPath()).empty()) {
            std::abort();
        }
    } catch (const poolscope::RecordingError& error) {
        if (std::string(error.what()).find(scratchPath()) == std::string::npos) {
            std::abort();  // every message names the file
        }
    }
    removeScratch();
    return 0;
}
