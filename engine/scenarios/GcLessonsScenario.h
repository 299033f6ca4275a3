#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenarios/Scenario.h"

namespace poolscope {

// A scripted tour of the managed heap for a classroom, one lesson per concept: promotion,
// compaction, a finalizable object that takes two collections to die, resurrection, short and
// long weak references, the dispose pattern, LOH fragmentation, and a static-list leak with its
// retention path. Each lesson is split into the steps a teacher would draw on a board; each step
// does its work first and then stops at a checkpoint whose explanation describes what is now on
// screen, with the heap snapshot of that moment published, so the picture is the state the words
// describe. Each lesson's figures say what the heap did, so a test can hold it to its word.
class GcLessonsScenario final : public Scenario {
public:
    static constexpr const char* kName = "gc-lessons";

    struct Step {
        std::string title;
        std::string explanation;  // what the heap shows once the step's work is done
        // A step that shows the mark phase of the collection the next step runs: that
        // collection's generation; -1 for the others.
        int marksGeneration = -1;
    };
    struct Lesson {
        std::string title;
        std::string explanation;
        std::vector<Step> steps;
    };

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioKind kind() const override { return ScenarioKind::Teaching; }
    // Every step of every lesson, named by checkpointName().
    std::vector<std::string> checkpointNames() const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    // The lessons in the order they are given.
    static const std::vector<Lesson>& lessons();
    // "Promotion 1/4: three objects in generation 0": the phase of a step's checkpoint.
    static std::string checkpointName(const Lesson& lesson, std::size_t step);
};

}  // namespace poolscope
