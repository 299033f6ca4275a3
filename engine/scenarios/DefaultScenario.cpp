#include "scenarios/DefaultScenario.h"

#include <chrono>

namespace poolscope {

std::string DefaultScenario::description() const {
    return "An image-processing-like load: RGBA images of camera and screen sizes as row-aligned "
           "groups, an occasional contiguous whole image, small scratch buffers, several images "
           "alive at once.";
}

std::vector<ScenarioParameter> DefaultScenario::parameters() const {
    return {
        ScenarioParameter::integer("iterations", "images to process",
                                   WorkloadOptions::kDefaultIterations, 1, 1'000'000),
        ScenarioParameter::integer("max-live-images", "images kept alive at once", 3, 0, 64),
        ScenarioParameter::boolean(
            "leak", "keep a preview every 12 images in a cache never emptied", false),
        ScenarioParameter::integer("pause-ms", "pause after each image, to watch the pool", 0, 0,
                                   60'000),
        ScenarioParameter::integer("seed", "seed of the image size sequence", 1, 0, UINT32_MAX),
    };
}

WorkloadOptions DefaultScenario::workloadOptions(const ScenarioParameters& parameters) {
    WorkloadOptions options;
    options.iterations = static_cast<int>(parameters.integer("iterations"));
    options.maxLiveImages = static_cast<int>(parameters.integer("max-live-images"));
    options.leak = parameters.boolean("leak");
    options.iterationPause = std::chrono::milliseconds(parameters.integer("pause-ms"));
    options.seed = static_cast<std::uint32_t>(parameters.integer("seed"));
    return options;
}

ScenarioOutcome DefaultScenario::run(ScenarioContext& context,
                                     const ScenarioParameters& parameters) {
    workload_ =
        std::make_unique<DefaultWorkload>(context.sharedAllocator(), workloadOptions(parameters));
    // The workload checks the stop token between iterations; pause and step mode hold it in
    // the progress callback, which runs on this thread after every image.
    summary_ = workload_->run(context.stopToken(), [&context](const WorkloadProgress& progress) {
        context.reportProgress(progress.iterationsCompleted, progress.iterationsPlanned, "image");
        if (progress.iterationsCompleted < progress.iterationsPlanned) {
            context.checkpoint("next image");
        }
    });

    ScenarioOutcome outcome;
    outcome.cancelled = summary_.cancelled;
    outcome.addFigure("iterationsCompleted", std::int64_t{summary_.iterationsCompleted});
    outcome.addFigure("allocations", summary_.allocations);
    outcome.addFigure("groupAllocations", summary_.groupAllocations);
    outcome.addFigure("contiguousAllocations", summary_.contiguousAllocations);
    outcome.addFigure("smallAllocations", summary_.smallAllocations);
    outcome.addFigure("unpooledAllocations", summary_.unpooledAllocations);
    outcome.addFigure("bytesAllocated", static_cast<std::int64_t>(summary_.bytesAllocated));
    outcome.addFigure("peakRentedChunks", std::int64_t{summary_.peakRentedChunks});
    if (summary_.leakedAllocations > 0) {
        outcome.injectedLeaks.push_back({"forgotten-cache", DefaultWorkload::kLeakyCacheTag,
                                         "poolscope::DefaultWorkload::keepPreviewInLeakyCache",
                                         summary_.leakedAllocations, summary_.leakedBytes, false});
    }
    return outcome;
}

}  // namespace poolscope
