#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/Scenario.h"

namespace poolscope {

// Every scenario the GUI, the command line and the tests can run, by name.
class ScenarioRegistry {
public:
    using Factory = std::function<std::unique_ptr<Scenario>()>;

    struct Entry {
        std::string name;
        std::string description;
        std::vector<ScenarioParameter> parameters;
        ScenarioKind kind = ScenarioKind::PoolBehaviour;
        std::vector<std::string> checkpointNames;
        Factory create;
    };

    // default, periodic-bursts, leak-hunt, stress, batch-resize, contiguous-vs-discontiguous,
    // wrap-memory, gc-vs-pool, gc-lessons and make-samples.
    static const ScenarioRegistry& builtIn();

    // Throws std::invalid_argument when a scenario of that name is registered already.
    void add(const Factory& factory);

    const std::vector<Entry>& entries() const { return entries_; }
    std::vector<std::string> names() const;
    const Entry* find(std::string_view name) const;
    // Throws ScenarioError naming the scenarios there are when `name` is not one of them.
    std::unique_ptr<Scenario> create(std::string_view name) const;

private:
    std::vector<Entry> entries_;
};

}  // namespace poolscope
