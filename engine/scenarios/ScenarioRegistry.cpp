#include "scenarios/ScenarioRegistry.h"

#include <stdexcept>

#include "scenarios/BatchResizeScenario.h"
#include "scenarios/ContiguousVsDiscontiguousScenario.h"
#include "scenarios/DefaultScenario.h"
#include "scenarios/GcLessonsScenario.h"
#include "scenarios/GcVsPoolScenario.h"
#include "scenarios/LeakHuntScenario.h"
#include "scenarios/MakeSamplesScenario.h"
#include "scenarios/PeriodicBurstsScenario.h"
#include "scenarios/ScenarioError.h"
#include "scenarios/StressScenario.h"
#include "scenarios/WrapMemoryScenario.h"

namespace poolscope {

namespace {

template <class ConcreteScenario>
ScenarioRegistry::Factory factoryOf() {
    return [] { return std::make_unique<ConcreteScenario>(); };
}

}  // namespace

const ScenarioRegistry& ScenarioRegistry::builtIn() {
    static const ScenarioRegistry registry = [] {
        ScenarioRegistry built;
        built.add(factoryOf<DefaultScenario>());
        built.add(factoryOf<PeriodicBurstsScenario>());
        built.add(factoryOf<LeakHuntScenario>());
        built.add(factoryOf<StressScenario>());
        built.add(factoryOf<BatchResizeScenario>());
        built.add(factoryOf<ContiguousVsDiscontiguousScenario>());
        built.add(factoryOf<WrapMemoryScenario>());
        built.add(factoryOf<GcVsPoolScenario>());
        built.add(factoryOf<GcLessonsScenario>());
        built.add(factoryOf<MakeSamplesScenario>());
        return built;
    }();
    return registry;
}

void ScenarioRegistry::add(const Factory& factory) {
    const std::unique_ptr<Scenario> sample = factory();
    if (find(sample->name()) != nullptr) {
        throw std::invalid_argument("a scenario named '" + sample->name() +
                                    "' is registered already");
    }
    entries_.push_back({sample->name(), sample->description(), sample->parameters(), sample->kind(),
                        sample->checkpointNames(), factory});
}

std::vector<std::string> ScenarioRegistry::names() const {
    std::vector<std::string> names;
    names.reserve(entries_.size());
    for (const Entry& entry : entries_) {
        names.push_back(entry.name);
    }
    return names;
}

const ScenarioRegistry::Entry* ScenarioRegistry::find(std::string_view name) const {
    for (const Entry& entry : entries_) {
        if (entry.name == name) {
            return &entry;
        }
    }
    return nullptr;
}

std::unique_ptr<Scenario> ScenarioRegistry::create(std::string_view name) const {
    if (const Entry* entry = find(name)) {
        return entry->create();
    }
    std::string known;
    for (const Entry& entry : entries_) {
        known += (known.empty() ? "" : ", ") + entry.name;
    }
    throw ScenarioError("there is no scenario '" + std::string(name) + "'; there are: " + known);
}

}  // namespace poolscope
