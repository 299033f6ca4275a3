#pragma once

#include <stdexcept>
#include <string>

namespace poolscope {

// A scenario that cannot run as asked: an unknown name, an unknown or malformed parameter, a
// broken invariant. The message is meant for the person who typed the command.
class ScenarioError : public std::runtime_error {
public:
    explicit ScenarioError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace poolscope
