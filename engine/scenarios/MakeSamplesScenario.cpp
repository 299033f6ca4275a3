#include "scenarios/MakeSamplesScenario.h"

#include <filesystem>

#include "scenarios/SampleImages.h"
#include "scenarios/ScenarioError.h"
#include "scenarios/TemporaryDirectory.h"

namespace poolscope {

std::string MakeSamplesScenario::description() const {
    return "Draws the project's own sample photographs (gradients, shapes, grain) as PNG and "
           "JPEG files into a folder, with the engine's codecs.";
}

std::vector<ScenarioParameter> MakeSamplesScenario::parameters() const {
    return {ScenarioParameter::text(
        "output", "folder to write the samples into (empty: a fresh temporary folder)", "")};
}

ScenarioOutcome MakeSamplesScenario::run(ScenarioContext& context,
                                         const ScenarioParameters& parameters) {
    const std::string& given = parameters.text("output");
    const std::filesystem::path directory = given.empty()
                                                ? TemporaryDirectory::create("poolscope-samples")
                                                : std::filesystem::path(given);
    ScenarioOutcome outcome;
    if (!context.checkpoint("drawing samples")) {
        outcome.cancelled = true;
        return outcome;
    }
    Configuration configuration = context.imageConfiguration();
    const std::vector<std::filesystem::path> written =
        SampleImages::generate(directory, configuration);
    std::int64_t bytes = 0;
    for (const std::filesystem::path& path : written) {
        bytes += static_cast<std::int64_t>(std::filesystem::file_size(path));
    }
    context.reportProgress(static_cast<std::int64_t>(written.size()),
                           static_cast<std::int64_t>(written.size()), "samples written");
    outcome.addFigure("samplesWritten", static_cast<std::int64_t>(written.size()));
    outcome.addFigure("bytesWritten", bytes);
    outcome.addFigure("output", directory.string());
    return outcome;
}

}  // namespace poolscope
