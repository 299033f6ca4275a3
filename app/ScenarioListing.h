#pragma once

#include <ostream>

namespace poolscope {

// What `poolscope --list-scenarios` prints: every scenario with its description and its
// parameters, their defaults and what each accepts.
class ScenarioListing {
public:
    static void print(std::ostream& out);
};

}  // namespace poolscope
