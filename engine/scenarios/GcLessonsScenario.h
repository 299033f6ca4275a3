#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scenarios/Scenario.h"

namespace poolscope {

class GcHeap;

// A scripted tour of the managed heap for a classroom, one lesson per concept: promotion,
// compaction, a finalizable object that takes two collections to die, resurrection, short and
// long weak references, LOH fragmentation, and a static-list leak with its retention path.
// Each lesson starts at a checkpoint whose phase is its title and whose explanation says in
// plain words what is about to happen, so in step mode a teacher reads it out, steps, and
// the heap snapshot published after the lesson shows it happened. Each lesson's figures say
// what the heap did, so a test can hold the lesson to its word.
class GcLessonsScenario final : public Scenario {
public:
    static constexpr const char* kName = "gc-lessons";

    struct Lesson {
        std::string title;
        std::string explanation;
    };

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioKind kind() const override { return ScenarioKind::Teaching; }
    // The lessons' titles.
    std::vector<std::string> checkpointNames() const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    // The lessons in the order they are given.
    static const std::vector<Lesson>& lessons();
};

}  // namespace poolscope
