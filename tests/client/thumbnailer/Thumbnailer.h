#pragma once

#include <filesystem>
#include <string>
#include <vector>

// Makes thumbnails: every PNG and JPEG of a folder, resized to fit a square of `size` pixels
// (aspect kept), written under the same name into another folder. The pixel memory comes from
// the engine's pooled allocator, so PoolScope sees every decode and resize.
class Thumbnailer {
public:
    struct Result {
        int written = 0;
        std::vector<std::string> failures;  // "file: reason"
    };

    explicit Thumbnailer(int size) : size_(size) {}

    // With leakEvery > 0, every leakEvery-th decoded image is never released: what a leak
    // looks like to PoolScope, for its tests.
    Result run(const std::filesystem::path& input, const std::filesystem::path& output,
               int leakEvery = 0) const;

private:
    int size_;
};
