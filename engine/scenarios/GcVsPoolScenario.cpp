#include "scenarios/GcVsPoolScenario.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <functional>

#include "gc/GcHeap.h"
#include "gc/GcPixelAllocator.h"
#include "imaging/Configuration.h"
#include "memory/PooledMemoryAllocator.h"
#include "scenarios/BatchResizeScenario.h"
#include "scenarios/SampleImages.h"

namespace poolscope {

namespace {

// What the pool holds now: chunks rented and retained, and small buffers kept for reuse.
// Rented small buffers are not counted: the pool does not say how many bytes are out.
std::uint64_t poolBytes(const MemoryAllocator& allocator, bool retainedOnly) {
    const auto* pooled = dynamic_cast<const PooledMemoryAllocator*>(&allocator);
    if (pooled == nullptr) {
        return 0;
    }
    const UniformChunkPool::Stats stats = pooled->pool().stats();
    const std::uint64_t chunks =
        static_cast<std::uint64_t>(retainedOnly ? stats.retained : stats.rented + stats.retained);
    return chunks * pooled->pool().chunkBytes() + pooled->smallBuffers().retainedBytes();
}

}  // namespace

std::string GcVsPoolScenario::description() const {
    return "The same decode-resize-encode workload on the GC-backed allocator and on the pool, "
           "one image on each per step: peak bytes, collections and memory held at the end.";
}

std::vector<ScenarioParameter> GcVsPoolScenario::parameters() const {
    return {
        ScenarioParameter::text("input", "folder of PNG and JPEG files (empty: the samples)", ""),
        ScenarioParameter::integer("width", "width of the resized images in pixels", 640, 1,
                                   16'384),
        ScenarioParameter::integer("rounds", "passes over the input folder", 1, 1, 1000),
        ScenarioParameter::integer("gen0-budget-kb", "the managed heap's generation 0 budget", 256,
                                   16, 1'048'576),
    };
}

ScenarioOutcome GcVsPoolScenario::run(ScenarioContext& context,
                                      const ScenarioParameters& parameters) {
    const std::vector<std::filesystem::path> files =
        SampleImages::listImageFiles(SampleImages::inputDirectory(parameters.text("input")));
    const int width = static_cast<int>(parameters.integer("width"));
    const auto rounds = static_cast<std::size_t>(parameters.integer("rounds"));

    GcHeap::Settings settings;
    settings.gen0BudgetBytes =
        static_cast<std::uint64_t>(parameters.integer("gen0-budget-kb")) * 1024;
    settings.smallObjectReserveBytes = std::size_t{256} << 20;
    settings.largeObjectReserveBytes = std::size_t{4} << 30;
    const auto heap = std::make_shared<GcHeap>(settings);
    context.attachHeap(heap);
    const auto managedAllocator = std::make_shared<GcPixelAllocator>(heap);

    Configuration onPool = Configuration::defaultInstance().clone();
    onPool.allocator = context.sharedAllocator();
    Configuration onHeap = onPool.clone();
    onHeap.allocator = managedAllocator;

    pool_ = {};
    gc_ = {};
    const auto sample = [&] {
        pool_.peakBytes = std::max(pool_.peakBytes, poolBytes(context.allocator(), false));
        gc_.peakBytes = std::max(gc_.peakBytes, heap->statistics().bytesInUse);
    };

    ScenarioOutcome outcome;
    ImageResults results;
    const std::int64_t planned = static_cast<std::int64_t>(files.size() * rounds);
    std::int64_t done = 0;
    for (std::size_t round = 0; round < rounds && !outcome.cancelled; ++round) {
        for (const std::filesystem::path& file : files) {
            const std::string phase = "image " + file.filename().string();
            if (!context.checkpoint(phase,
                                    "The same image is decoded, resized and encoded on the pool "
                                    "and on the managed heap. The pool gets its memory back "
                                    "when the image is disposed; the heap only when a collection "
                                    "finds the arrays dead.")) {
                outcome.cancelled = true;
                break;
            }
            try {
                BatchResizeScenario::resizeFile(file, onPool, width, 0.0, sample);
                BatchResizeScenario::resizeFile(file, onHeap, width, 0.0, sample);
                results.processed += 1;
            } catch (const std::exception& error) {
                results.failed.push_back({file.string(), error.what()});
            }
            context.reportProgress(++done, planned, phase);
            context.publishHeap(*heap);
        }
    }

    const GcStatistics statistics = heap->statistics();
    pool_.retainedBytesAtEnd = poolBytes(context.allocator(), true);
    gc_.retainedBytesAtEnd = statistics.bytesInUse;
    outcome.addFigure("imagesPerSide", results.processed);
    outcome.addFigure("poolPeakBytes", static_cast<std::int64_t>(pool_.peakBytes));
    outcome.addFigure("gcPeakBytes", static_cast<std::int64_t>(gc_.peakBytes));
    outcome.addFigure("poolRetainedBytesAtEnd",
                      static_cast<std::int64_t>(pool_.retainedBytesAtEnd));
    outcome.addFigure("gcRetainedBytesAtEnd", static_cast<std::int64_t>(gc_.retainedBytesAtEnd));
    outcome.addFigure("gcCollectionsGen0", static_cast<std::int64_t>(statistics.collections[0]));
    outcome.addFigure("gcCollectionsGen1", static_cast<std::int64_t>(statistics.collections[1]));
    outcome.addFigure("gcCollectionsGen2", static_cast<std::int64_t>(statistics.collections[2]));
    outcome.addFigure("gcLargeObjectHeapBytesAtEnd",
                      static_cast<std::int64_t>(statistics.generationBytes[3]));
    outcome.images = std::move(results);
    return outcome;
}

}  // namespace poolscope
