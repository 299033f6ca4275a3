#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace poolscope {

// A parameter value or a scenario figure: a whole number, a real number, a flag or text.
using ScenarioValue = std::variant<std::int64_t, double, bool, std::string>;

std::string scenarioValueToString(const ScenarioValue& value);

// One typed parameter a scenario takes, with its default and its allowed range. Parameters
// are given on the command line as key=value text and parsed against this description.
struct ScenarioParameter {
    enum class Type { Integer, Real, Boolean, Text };

    std::string name;
    Type type = Type::Integer;
    std::string description;
    ScenarioValue defaultValue;
    // Inclusive bounds for Integer and Real parameters.
    std::optional<double> minimum;
    std::optional<double> maximum;

    static ScenarioParameter integer(std::string name, std::string description,
                                     std::int64_t defaultValue, std::int64_t minimum,
                                     std::int64_t maximum);
    static ScenarioParameter real(std::string name, std::string description, double defaultValue,
                                  double minimum, double maximum);
    static ScenarioParameter boolean(std::string name, std::string description, bool defaultValue);
    static ScenarioParameter text(std::string name, std::string description,
                                  std::string defaultValue);

    // "whole number from 1 to 64", "true or false", ...: what the parser accepts.
    std::string expectation() const;
    // Throws ScenarioError naming the scenario, the parameter and what it accepts.
    ScenarioValue parse(const std::string& scenarioName, const std::string& text) const;
};

// The values of every parameter of one run: the defaults, overridden by what the user gave.
class ScenarioParameters {
public:
    // Throws ScenarioError for an unknown key, a malformed value or a value out of range.
    static ScenarioParameters resolve(
        const std::string& scenarioName, const std::vector<ScenarioParameter>& declared,
        const std::vector<std::pair<std::string, std::string>>& given);
    // "key=value" into its two halves; throws ScenarioError when there is no '='.
    static std::pair<std::string, std::string> splitAssignment(const std::string& assignment);

    // Each throws std::out_of_range for an undeclared name and std::bad_variant_access for the
    // wrong type: both are programming errors in a scenario, not user errors.
    std::int64_t integer(const std::string& name) const;
    double real(const std::string& name) const;
    bool boolean(const std::string& name) const;
    const std::string& text(const std::string& name) const;

    // In declaration order.
    const std::vector<std::pair<std::string, ScenarioValue>>& values() const { return values_; }

private:
    const ScenarioValue& value(const std::string& name) const;

    std::vector<std::pair<std::string, ScenarioValue>> values_;
};

}  // namespace poolscope
