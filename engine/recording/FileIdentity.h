#pragma once

#include <cstdint>
#include <string>

namespace poolscope {

// What tells a recording's file changed: which file the path names (one written anew in its
// place is another), the sizes and modification times of it and of its write-ahead log, where
// the writer of a recording still being written commits.
struct FileIdentity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t bytes = -1;
    std::int64_t modified = -1;
    std::int64_t logBytes = -1;
    std::int64_t logModified = -1;

    // The file at `path` now; a file that is not there has bytes -1.
    static FileIdentity of(const std::string& path);

    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

}  // namespace poolscope
