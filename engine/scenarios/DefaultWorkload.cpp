#include "scenarios/DefaultWorkload.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <mutex>
#include <utility>

#include "diagnostics/MemoryDiagnostics.h"
#include "memory/PooledMemoryAllocator.h"

namespace poolscope {

namespace {

constexpr std::array<ImageSize, 4> kImageSizes{
    {{640, 480}, {1920, 1080}, {4000, 3000}, {8000, 6000}}};
// Of every eight images, three are VGA frames, three full HD, one a 12 MP and one a 48 MP photo:
// mostly pool-sized work with the occasional image that does not fit beside the others.
constexpr std::array<std::size_t, 8> kSizeIndexByDraw{0, 0, 0, 1, 1, 1, 2, 3};

constexpr int kContiguousEvery = 4;
constexpr int kLeakEvery = 12;
constexpr ImageSize kPreviewSize{1024, 1024};  // exactly one 4 MiB pool chunk of RGBA
constexpr std::int64_t kHistogramBins = 4 * 256;

// Writing every pixel of a 192 MB frame would turn the workload into a memory bandwidth test;
// the first and last row of each chunk touch every chunk and show that rows stay whole.
void paintEdgeRows(std::span<std::uint32_t> pixels, int width, std::uint32_t colour) {
    const auto rowLength = static_cast<std::size_t>(width);
    if (pixels.size() < rowLength) {
        return;
    }
    std::fill_n(pixels.begin(), rowLength, colour);
    std::fill(pixels.end() - static_cast<std::ptrdiff_t>(rowLength), pixels.end(),
              colour ^ 0x00ffffffu);
}

void pauseUnlessStopped(std::chrono::milliseconds pause, const std::stop_token& stopToken) {
    if (pause.count() <= 0) {
        return;
    }
    std::mutex mutex;
    std::condition_variable_any stopRequested;
    std::unique_lock lock(mutex);
    stopRequested.wait_for(lock, stopToken, pause, [] { return false; });
}

}  // namespace

DefaultWorkload::DefaultWorkload(std::shared_ptr<MemoryAllocator> allocator,
                                 WorkloadOptions options)
    : allocator_(std::move(allocator)), options_(options), random_(options.seed) {
    if (auto* pooled = dynamic_cast<PooledMemoryAllocator*>(allocator_.get())) {
        pool_ = &pooled->pool();
    }
}

std::span<const ImageSize> DefaultWorkload::imageSizes() {
    return kImageSizes;
}

ImageSize DefaultWorkload::nextImageSize() {
    // minstd_rand's sequence is fixed by the standard, so the workload is the same everywhere.
    return kImageSizes[kSizeIndexByDraw[random_() % kSizeIndexByDraw.size()]];
}

void DefaultWorkload::recordAllocation(WorkloadSummary& summary, MemoryTier tier,
                                       std::uint64_t bytes) const {
    summary.allocations += 1;
    summary.bytesAllocated += bytes;
    if (tier == MemoryTier::Small) {
        summary.smallAllocations += 1;
    } else if (tier == MemoryTier::Unpooled) {
        summary.unpooledAllocations += 1;
    }
    if (pool_ != nullptr) {
        summary.peakRentedChunks = std::max(summary.peakRentedChunks, pool_->stats().rented);
    }
}

WorkloadSummary DefaultWorkload::run(std::stop_token stopToken, const ProgressCallback& progress) {
    const auto started = std::chrono::steady_clock::now();
    WorkloadSummary summary;
    summary.iterationsPlanned = std::max(options_.iterations, 0);
    std::vector<MemoryGroup> liveImages;
    for (int iteration = 0; iteration < summary.iterationsPlanned; ++iteration) {
        if (stopToken.stop_requested()) {
            summary.cancelled = true;
            break;
        }
        processOneImage(iteration, liveImages, summary);
        summary.iterationsCompleted += 1;
        if (progress) {
            progress(WorkloadProgress{summary.iterationsCompleted, summary.iterationsPlanned});
        }
        if (summary.iterationsCompleted < summary.iterationsPlanned) {
            pauseUnlessStopped(options_.iterationPause, stopToken);
        }
    }
    liveImages.clear();
    summary.elapsed = std::chrono::steady_clock::now() - started;
    return summary;
}

void DefaultWorkload::processOneImage(int iteration, std::vector<MemoryGroup>& liveImages,
                                      WorkloadSummary& summary) {
    const ImageSize size = nextImageSize();
    const std::int64_t pixelCount = std::int64_t{size.width} * size.height;
    const std::uint32_t colour = 0xff000000u | (static_cast<std::uint32_t>(iteration) * 0x010305u);

    MemoryOwner rowScratch = allocator_->allocate(size.width, kBytesPerPixel);
    recordAllocation(summary, rowScratch.tier(), rowScratch.bytes().size());
    MemoryOwner histogram =
        allocator_->allocate<std::uint32_t>(kHistogramBins, AllocationOptions::Clean);
    recordAllocation(summary, histogram.tier(), histogram.bytes().size());

    MemoryGroup image = allocator_->allocateGroup(pixelCount, kBytesPerPixel, size.width);
    summary.groupAllocations += 1;
    recordAllocation(summary, image.tier(),
                     static_cast<std::uint64_t>(pixelCount) * kBytesPerPixel);
    for (int chunk = 0; chunk < image.count(); ++chunk) {
        paintEdgeRows(image.chunk<std::uint32_t>(chunk), size.width, colour);
    }

    // A row pass through the scratch buffer, as a filter reads an image row by row.
    const std::span<std::uint32_t> row = rowScratch.span<std::uint32_t>();
    const std::span<std::uint32_t> firstChunk = image.chunk<std::uint32_t>(0);
    std::copy_n(firstChunk.begin(), row.size(), row.begin());
    const std::span<std::uint32_t> bins = histogram.span<std::uint32_t>();
    for (const std::uint32_t pixel : row) {
        for (std::size_t channel = 0; channel < 4; ++channel) {
            bins[channel * 256 + ((pixel >> (8 * channel)) & 0xffu)] += 1;
        }
    }

    if (iteration % kContiguousEvery == kContiguousEvery - 1) {
        // What preferContiguousImageBuffers asks for: the whole image in one buffer.
        MemoryOwner contiguous = allocator_->allocate(pixelCount, kBytesPerPixel);
        summary.contiguousAllocations += 1;
        recordAllocation(summary, contiguous.tier(), contiguous.bytes().size());
        paintEdgeRows(contiguous.span<std::uint32_t>(), size.width, colour);
    }

    liveImages.push_back(std::move(image));
    const auto maxLiveImages = static_cast<std::size_t>(std::max(options_.maxLiveImages, 0));
    while (liveImages.size() > maxLiveImages) {
        liveImages.erase(liveImages.begin());
    }

    if (options_.leak && iteration % kLeakEvery == kLeakEvery - 1) {
        keepPreviewInLeakyCache(summary);
    }
}

void DefaultWorkload::keepPreviewInLeakyCache(WorkloadSummary& summary) {
    const AllocationTagScope tag(kLeakyCacheTag);
    MemoryOwner preview = allocator_->allocate(
        std::int64_t{kPreviewSize.width} * kPreviewSize.height, kBytesPerPixel);
    paintEdgeRows(preview.span<std::uint32_t>(), kPreviewSize.width, 0xff808080u);
    const std::uint64_t bytes = preview.bytes().size();
    recordAllocation(summary, preview.tier(), bytes);
    summary.leakedAllocations += 1;
    summary.leakedBytes += bytes;
    leakyCache_.push_back(std::move(preview));
}

}  // namespace poolscope
