#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "imaging/Configuration.h"

namespace poolscope {

// The sample photographs the project made itself (resources/samples): synthetic, photo-like
// pictures of sky gradients, shapes and grain, drawn and encoded by the engine's own codecs, so
// that the image scenarios have input without borrowing anyone's pictures.
class SampleImages {
public:
    // One picture of the set: its file name (the extension picks the codec) and size.
    struct Sample {
        std::string fileName;
        int width = 0;
        int height = 0;
    };

    static const std::vector<Sample>& catalogue();

    // Draws and writes every sample into `directory` (made when missing), each image on
    // `configuration`'s allocator; returns the paths written. The same bytes on every run: the
    // drawing is seeded by the file name.
    static std::vector<std::filesystem::path> generate(
        const std::filesystem::path& directory,
        const Configuration& configuration = Configuration::defaultInstance());

    // Where the shipped samples are: $POOLSCOPE_SAMPLES, else share/poolscope/samples or
    // resources/samples next to the executable's folder, else the source tree this was built
    // from. Throws ScenarioError naming every place it looked when none holds an image.
    static std::filesystem::path defaultDirectory();

    // The PNG and JPEG files of `directory` by their extension (not their content, so that a
    // corrupt one is listed and reported), sorted by name; entries that are not folders but
    // cannot be read (dangling links, link loops) are listed too, so that they are reported. Throws
    // ScenarioError when the directory cannot be read.
    static std::vector<std::filesystem::path> listImageFiles(
        const std::filesystem::path& directory);

    // `given`, or defaultDirectory() when it is empty: what an `input` parameter means.
    static std::filesystem::path inputDirectory(const std::string& given);
};

}  // namespace poolscope
