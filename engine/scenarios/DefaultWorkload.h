#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <stop_token>
#include <vector>

#include "memory/MemoryAllocator.h"

namespace poolscope {

class UniformChunkPool;

struct ImageSize {
    int width = 0;
    int height = 0;
};

struct WorkloadOptions {
    static constexpr int kDefaultIterations = 48;

    int iterations = kDefaultIterations;
    // Images kept alive at once; the oldest is disposed when one more arrives, so the pool
    // holds several large groups at a time and overflows into unpooled memory.
    int maxLiveImages = 3;
    // Keeps a preview buffer every few iterations in a cache that is never emptied while the
    // workload lives, so that leak checkpoints have something real to find.
    bool leak = false;
    // A pause after each iteration, so that a person can watch the pool change; 0 runs flat out.
    std::chrono::milliseconds iterationPause{0};
    std::uint32_t seed = 1;
};

struct WorkloadProgress {
    int iterationsCompleted = 0;
    int iterationsPlanned = 0;
};

struct WorkloadSummary {
    int iterationsPlanned = 0;
    int iterationsCompleted = 0;
    bool cancelled = false;
    std::int64_t allocations = 0;  // every allocate and allocateGroup call
    std::int64_t groupAllocations = 0;
    std::int64_t contiguousAllocations = 0;  // single buffers of a whole image
    std::int64_t smallAllocations = 0;
    std::int64_t unpooledAllocations = 0;
    std::uint64_t bytesAllocated = 0;
    // Highest count of rented pool chunks seen after an allocation; 0 for an allocator
    // without a chunk pool.
    int peakRentedChunks = 0;
    std::int64_t leakedAllocations = 0;
    std::uint64_t leakedBytes = 0;
    std::chrono::nanoseconds elapsed{0};
};

// A deterministic image-processing-like load: RGBA images of camera and screen sizes as
// row-aligned memory groups, an occasional contiguous single buffer of a whole image, and a few
// small scratch buffers per image, all written to and disposed, with several images alive at
// once. The same seed gives the same sequence of requests.
class DefaultWorkload {
public:
    using ProgressCallback = std::function<void(const WorkloadProgress&)>;

    DefaultWorkload(std::shared_ptr<MemoryAllocator> allocator, WorkloadOptions options);
    DefaultWorkload(const DefaultWorkload&) = delete;
    DefaultWorkload& operator=(const DefaultWorkload&) = delete;

    // Runs the iterations on the calling thread; `progress` is called on it after each one.
    // A stop request ends the run after the current iteration and is reported as cancelled.
    // Allocation errors propagate; every image of the run is disposed either way.
    WorkloadSummary run(std::stop_token stopToken = {}, const ProgressCallback& progress = {});

    const WorkloadOptions& options() const { return options_; }
    std::size_t leakyCacheSize() const { return leakyCache_.size(); }

    static constexpr int kBytesPerPixel = 4;
    static std::span<const ImageSize> imageSizes();
    // The tag of the allocations the leaky cache keeps.
    static constexpr const char* kLeakyCacheTag = "leaky-cache";

private:
    void processOneImage(int iteration, std::vector<MemoryGroup>& liveImages,
                         WorkloadSummary& summary);
    // Out of line, so that leak reports name this function as the one that made the leak.
    [[gnu::noinline]] void keepPreviewInLeakyCache(WorkloadSummary& summary);
    void recordAllocation(WorkloadSummary& summary, MemoryTier tier, std::uint64_t bytes) const;
    ImageSize nextImageSize();

    std::shared_ptr<MemoryAllocator> allocator_;
    WorkloadOptions options_;
    UniformChunkPool* pool_ = nullptr;  // the allocator's chunk pool, when it has one
    std::minstd_rand random_;
    // Disposed only when the workload is destroyed: the deliberate leak lasts exactly as long
    // as the workload object.
    std::vector<MemoryOwner> leakyCache_;
};

}  // namespace poolscope
