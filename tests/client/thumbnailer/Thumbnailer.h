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

    // For PoolScope's tests: with leakEvery > 0, every leakEvery-th decoded image is never
    // released (a leak); with abortAfter > 0 the process aborts after that many thumbnails
    // (a crash).
    Result run(const std::filesystem::path& input, const std::filesystem::path& output,
               int leakEvery = 0, int abortAfter = 0) const;

private:
    int size_;
};
