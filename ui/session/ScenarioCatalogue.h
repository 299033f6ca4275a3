#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

#include "scenarios/Scenario.h"

namespace poolscope {

class ScenarioRegistry;

// The scenarios a session can run, described for the window: what each is, the parameters it
// takes, the checkpoints it declares and what it is about. Lets the window offer and explain
// scenarios without reaching into the engine's registry.
class ScenarioCatalogue {
public:
    // One typed parameter, as a form shows it; values travel as the command line's text.
    struct Parameter {
        enum class Type { Integer, Real, Boolean, Text };

        QString name;
        Type type = Type::Integer;
        QString description;
        QString expectation;  // "whole number from 1 to 64", "true or false", ...
        QString defaultText;  // the default, as the value would be typed
        // Inclusive bounds for Integer and Real parameters.
        std::optional<double> minimum;
        std::optional<double> maximum;
    };

    struct Entry {
        QString name;
        QString description;
        std::vector<Parameter> parameters;
        QStringList checkpointNames;  // empty unless the scenario declares them
        ScenarioKind kind = ScenarioKind::PoolBehaviour;
        // gc-vs-pool: the managed heap and the pool side by side are what it shows.
        bool comparesHeapWithPool = false;
    };

    explicit ScenarioCatalogue(const ScenarioRegistry& registry);
    // The engine's built-in scenarios.
    static const ScenarioCatalogue& builtIn();

    const std::vector<Entry>& entries() const { return entries_; }
    // Null for a name that is not in the catalogue.
    const Entry* find(const QString& name) const;

private:
    std::vector<Entry> entries_;
};

}  // namespace poolscope
