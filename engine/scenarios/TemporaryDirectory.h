#pragma once

#include <filesystem>
#include <string>

namespace poolscope {

// A fresh, uniquely named folder under the system's temporary folder, for scenario output
// nobody asked to keep elsewhere. It is left in place: the run's report names it.
class TemporaryDirectory {
public:
    // Throws ScenarioError when the folder cannot be made.
    static std::filesystem::path create(const std::string& prefix);
};

}  // namespace poolscope
