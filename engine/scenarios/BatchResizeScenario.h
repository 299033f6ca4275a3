#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <vector>

#include "imaging/Configuration.h"
#include "scenarios/Scenario.h"

namespace poolscope {

// The main job: decode every PNG and JPEG in `input`, resize it to `width` keeping the aspect
// ratio, blur it when `blur` is above zero, and encode it into `output` in its own format, on
// `threads` workers. A file that cannot be read, decoded or written is reported with its error
// and skipped; the batch goes on. Every image is disposed as soon as it is done with.
//
// Each worker passes a checkpoint before it takes the next file, so pause and step mode hold
// the batch between images (in step mode, one image per step), and reports progress after
// each file; both calls are thread-safe, and progress reports are made one at a time.
class BatchResizeScenario final : public Scenario {
public:
    static constexpr const char* kName = "batch-resize";

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    // The folder the last run wrote into.
    const std::filesystem::path& outputDirectory() const { return outputDirectory_; }

    // One file through the job: decoded on `configuration`'s allocator, resized to `width`
    // (height by aspect ratio, at least 1), blurred when blurSigma > 0, encoded in the format
    // its path names with the source's channels and bit depth. The images are disposed before
    // it returns, also when it throws.
    // whileBothAlive, when set, runs once the resized image is made and the decoded one not yet
    // disposed: the job's peak, for whoever measures memory.
    static std::vector<std::uint8_t> resizeFile(const std::filesystem::path& path,
                                                const Configuration& configuration, int width,
                                                double blurSigma,
                                                const std::function<void()>& whileBothAlive = {});
    // The height that keeps the aspect ratio of a width x height image at newWidth.
    static int heightForWidth(int width, int height, int newWidth);

private:
    std::filesystem::path outputDirectory_;
};

}  // namespace poolscope
