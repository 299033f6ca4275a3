#include "session/ScenarioCatalogue.h"

#include "scenarios/GcVsPoolScenario.h"
#include "scenarios/ScenarioRegistry.h"

namespace poolscope {

namespace {

ScenarioCatalogue::Parameter::Type typeOf(ScenarioParameter::Type type) {
    switch (type) {
        case ScenarioParameter::Type::Integer:
            return ScenarioCatalogue::Parameter::Type::Integer;
        case ScenarioParameter::Type::Real:
            return ScenarioCatalogue::Parameter::Type::Real;
        case ScenarioParameter::Type::Boolean:
            return ScenarioCatalogue::Parameter::Type::Boolean;
        case ScenarioParameter::Type::Text:
            break;
    }
    return ScenarioCatalogue::Parameter::Type::Text;
}

}  // namespace

ScenarioCatalogue::ScenarioCatalogue(const ScenarioRegistry& registry) {
    for (const ScenarioRegistry::Entry& registered : registry.entries()) {
        Entry entry;
        entry.name = QString::fromStdString(registered.name);
        entry.description = QString::fromStdString(registered.description);
        for (const ScenarioParameter& declared : registered.parameters) {
            entry.parameters.push_back(
                {QString::fromStdString(declared.name), typeOf(declared.type),
                 QString::fromStdString(declared.description),
                 QString::fromStdString(declared.expectation()),
                 QString::fromStdString(scenarioValueToString(declared.defaultValue)),
                 declared.minimum, declared.maximum});
        }
        for (const std::string& checkpoint : registered.checkpointNames) {
            entry.checkpointNames.append(QString::fromStdString(checkpoint));
        }
        entry.kind = registered.kind;
        entry.comparesHeapWithPool = registered.name == GcVsPoolScenario::kName;
        entries_.push_back(std::move(entry));
    }
}

const ScenarioCatalogue& ScenarioCatalogue::builtIn() {
    static const ScenarioCatalogue catalogue(ScenarioRegistry::builtIn());
    return catalogue;
}

const ScenarioCatalogue::Entry* ScenarioCatalogue::find(const QString& name) const {
    for (const Entry& entry : entries_) {
        if (entry.name == name) {
            return &entry;
        }
    }
    return nullptr;
}

}  // namespace poolscope
