#include "scenarios/TemporaryDirectory.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "scenarios/ScenarioError.h"

namespace poolscope {

std::filesystem::path TemporaryDirectory::create(const std::string& prefix) {
    const std::string pattern =
        (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    if (mkdtemp(name.data()) == nullptr) {
        throw ScenarioError("cannot make a temporary folder " + pattern + ": " +
                            std::strerror(errno));
    }
    return std::filesystem::path(name.data());
}

}  // namespace poolscope
