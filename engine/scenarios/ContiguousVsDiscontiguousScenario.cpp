#include "scenarios/ContiguousVsDiscontiguousScenario.h"

#include <exception>
#include <filesystem>
#include <memory>

#include "diagnostics/EventStream.h"
#include "imaging/Configuration.h"
#include "imaging/Image.h"
#include "imaging/MemoryGroupView.h"
#include "imaging/Rgba32.h"
#include "imaging/codecs/ImageCodecs.h"
#include "scenarios/SampleImages.h"

namespace poolscope {

namespace {

// Exact-size memory the allocator took since the last call, from its own events.
class UnpooledBytesCounter {
public:
    explicit UnpooledBytesCounter(std::uint16_t sourceId)
        : sourceId_(sourceId), subscription_(EventStream::subscribe(1u << 14)) {}

    std::uint64_t takeCount() {
        events_.clear();
        subscription_->drain(events_);
        std::uint64_t bytes = 0;
        for (const MemoryEvent& event : events_) {
            if (event.sourceId == sourceId_ && event.kind == MemoryEventKind::UnpooledAllocate) {
                bytes += event.bytes;
            }
        }
        return bytes;
    }

private:
    std::uint16_t sourceId_;
    std::unique_ptr<EventStream::Subscription> subscription_;
    std::vector<MemoryEvent> events_;
};

std::string yesNo(bool value) {
    return value ? "yes" : "no";
}

}  // namespace

std::string ContiguousVsDiscontiguousScenario::describe(const Layout& layout) {
    return std::to_string(layout.chunks) + (layout.chunks == 1 ? " chunk of " : " chunks of ") +
           std::to_string(layout.rowsPerChunk) +
           " rows, single memory: " + yesNo(layout.singlePixelMemory) +
           ", unpooled: " + std::to_string(layout.unpooledBytes) + " bytes";
}

std::string ContiguousVsDiscontiguousScenario::description() const {
    return "Decodes the same images under the default configuration and under a clone that "
           "prefers contiguous buffers; shows each layout, whether "
           "dangerousTryGetSinglePixelMemory succeeds, and the pooling lost.";
}

std::vector<ScenarioParameter> ContiguousVsDiscontiguousScenario::parameters() const {
    return {
        ScenarioParameter::text("input", "folder of PNG and JPEG files (empty: the samples)", ""),
        ScenarioParameter::integer("images", "images to compare (0: every one)", 0, 0, 100'000),
    };
}

ScenarioOutcome ContiguousVsDiscontiguousScenario::run(ScenarioContext& context,
                                                       const ScenarioParameters& parameters) {
    std::vector<std::filesystem::path> files =
        SampleImages::listImageFiles(SampleImages::inputDirectory(parameters.text("input")));
    const std::int64_t limit = parameters.integer("images");
    if (limit > 0 && static_cast<std::int64_t>(files.size()) > limit) {
        files.resize(static_cast<std::size_t>(limit));
    }

    Configuration discontiguous = Configuration::defaultInstance().clone();
    discontiguous.allocator = context.sharedAllocator();
    discontiguous.preferContiguousImageBuffers = false;
    Configuration contiguous = discontiguous.clone();
    contiguous.preferContiguousImageBuffers = true;

    UnpooledBytesCounter unpooled(context.allocator().sourceId());
    const auto layoutOf = [&](const std::filesystem::path& file, const Configuration& configuration,
                              Record& record) {
        unpooled.takeCount();
        Image<Rgba32> image = ImageCodecs::load<Rgba32>(file, configuration);
        Layout layout;
        layout.unpooledBytes = unpooled.takeCount();
        layout.chunks = image.pixelBuffer().chunkCount();
        layout.rowsPerChunk = image.pixelBuffer().rowsPerChunk();
        MemoryGroupView<Rgba32> view;
        layout.singlePixelMemory = image.dangerousTryGetSinglePixelMemory(view);
        record.width = image.width();
        record.height = image.height();
        image.dispose();
        return layout;
    };

    ScenarioOutcome outcome;
    ImageResults results;
    records_.clear();
    std::int64_t done = 0;
    for (const std::filesystem::path& file : files) {
        if (!context.checkpoint("next image")) {
            outcome.cancelled = true;
            break;
        }
        Record record;
        record.file = file.filename().string();
        try {
            record.discontiguous = layoutOf(file, discontiguous, record);
            record.contiguous = layoutOf(file, contiguous, record);
            records_.push_back(record);
            results.processed += 1;
        } catch (const std::exception& error) {
            results.failed.push_back({file.string(), error.what()});
        }
        context.reportProgress(++done, static_cast<std::int64_t>(files.size()), "compared");
    }

    std::int64_t singleDefault = 0;
    std::int64_t singleContiguous = 0;
    std::uint64_t unpooledDefault = 0;
    std::uint64_t unpooledContiguous = 0;
    for (const Record& record : records_) {
        singleDefault += record.discontiguous.singlePixelMemory ? 1 : 0;
        singleContiguous += record.contiguous.singlePixelMemory ? 1 : 0;
        unpooledDefault += record.discontiguous.unpooledBytes;
        unpooledContiguous += record.contiguous.unpooledBytes;
    }
    outcome.addFigure("imagesCompared", static_cast<std::int64_t>(records_.size()));
    outcome.addFigure("singlePixelMemoryDefault", singleDefault);
    outcome.addFigure("singlePixelMemoryContiguous", singleContiguous);
    outcome.addFigure("unpooledBytesDefault", static_cast<std::int64_t>(unpooledDefault));
    outcome.addFigure("unpooledBytesContiguous", static_cast<std::int64_t>(unpooledContiguous));
    outcome.addFigure("poolingLostBytes", static_cast<std::int64_t>(unpooledContiguous) -
                                              static_cast<std::int64_t>(unpooledDefault));
    for (const Record& record : records_) {
        outcome.addFigure(
            record.file + " " + std::to_string(record.width) + "x" + std::to_string(record.height),
            "default: " + describe(record.discontiguous) +
                "; contiguous: " + describe(record.contiguous));
    }
    outcome.images = std::move(results);
    outcome.layoutComparisons = records_;
    return outcome;
}

}  // namespace poolscope
