#include "scenarios/ScenarioParameter.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "scenarios/ScenarioError.h"

namespace poolscope {

namespace {

std::string formatNumber(double value) {
    if (std::floor(value) == value && std::fabs(value) < 1e15) {
        return std::to_string(static_cast<std::int64_t>(value));
    }
    std::ostringstream text;
    text << value;
    return text.str();
}

std::optional<std::int64_t> parseWholeNumber(const std::string& text) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [position, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc() || position != end) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> parseRealNumber(const std::string& text) {
    if (text.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (errno != 0 || end != text.c_str() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::optional<bool> parseFlag(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (text == "true" || text == "1" || text == "yes" || text == "on") {
        return true;
    }
    if (text == "false" || text == "0" || text == "no" || text == "off") {
        return false;
    }
    return std::nullopt;
}

}  // namespace

std::string scenarioValueToString(const ScenarioValue& value) {
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                return v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::string>) {
                return v;
            } else if constexpr (std::is_same_v<T, double>) {
                return formatNumber(v);
            } else {
                return std::to_string(v);
            }
        },
        value);
}

ScenarioParameter ScenarioParameter::integer(std::string name, std::string description,
                                             std::int64_t defaultValue, std::int64_t minimum,
                                             std::int64_t maximum) {
    return {std::move(name),
            Type::Integer,
            std::move(description),
            defaultValue,
            static_cast<double>(minimum),
            static_cast<double>(maximum)};
}

ScenarioParameter ScenarioParameter::real(std::string name, std::string description,
                                          double defaultValue, double minimum, double maximum) {
    return {std::move(name), Type::Real, std::move(description), defaultValue, minimum, maximum};
}

ScenarioParameter ScenarioParameter::boolean(std::string name, std::string description,
                                             bool defaultValue) {
    return {std::move(name), Type::Boolean, std::move(description), defaultValue, {}, {}};
}

ScenarioParameter ScenarioParameter::text(std::string name, std::string description,
                                          std::string defaultValue) {
    return {std::move(name), Type::Text, std::move(description), std::move(defaultValue), {}, {}};
}

std::string ScenarioParameter::expectation() const {
    switch (type) {
        case Type::Integer:
            return "a whole number from " + formatNumber(minimum.value_or(INT64_MIN)) + " to " +
                   formatNumber(maximum.value_or(INT64_MAX));
        case Type::Real:
            return "a number from " + formatNumber(minimum.value_or(-HUGE_VAL)) + " to " +
                   formatNumber(maximum.value_or(HUGE_VAL));
        case Type::Boolean:
            return "true or false";
        case Type::Text:
            return "any text";
    }
    return {};
}

ScenarioValue ScenarioParameter::parse(const std::string& scenarioName,
                                       const std::string& text) const {
    const auto refuse = [&]() -> ScenarioError {
        return ScenarioError("parameter '" + name + "' of scenario '" + scenarioName +
                             "' must be " + expectation() + ", not '" + text + "'");
    };
    const auto inRange = [&](double value) {
        return (!minimum || value >= *minimum) && (!maximum || value <= *maximum);
    };
    switch (type) {
        case Type::Integer: {
            const auto value = parseWholeNumber(text);
            if (!value || !inRange(static_cast<double>(*value))) {
                throw refuse();
            }
            return *value;
        }
        case Type::Real: {
            const auto value = parseRealNumber(text);
            if (!value || !inRange(*value)) {
                throw refuse();
            }
            return *value;
        }
        case Type::Boolean: {
            const auto value = parseFlag(text);
            if (!value) {
                throw refuse();
            }
            return *value;
        }
        case Type::Text:
            return text;
    }
    throw refuse();
}

ScenarioParameters ScenarioParameters::resolve(
    const std::string& scenarioName, const std::vector<ScenarioParameter>& declared,
    const std::vector<std::pair<std::string, std::string>>& given) {
    ScenarioParameters parameters;
    for (const ScenarioParameter& parameter : declared) {
        parameters.values_.emplace_back(parameter.name, parameter.defaultValue);
    }
    for (const auto& [key, text] : given) {
        const auto declaration = std::find_if(declared.begin(), declared.end(),
                                              [&wanted = key](const ScenarioParameter& parameter) {
                                                  return parameter.name == wanted;
                                              });
        if (declaration == declared.end()) {
            std::string known;
            for (const ScenarioParameter& parameter : declared) {
                known += (known.empty() ? "" : ", ") + parameter.name;
            }
            throw ScenarioError("scenario '" + scenarioName + "' has no parameter '" + key + "'" +
                                (known.empty() ? "; it takes none" : "; it takes: " + known));
        }
        const auto index = static_cast<std::size_t>(declaration - declared.begin());
        parameters.values_[index].second = declaration->parse(scenarioName, text);
    }
    return parameters;
}

std::pair<std::string, std::string> ScenarioParameters::splitAssignment(
    const std::string& assignment) {
    const std::size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
        throw ScenarioError("a parameter is written key=value, not '" + assignment + "'");
    }
    return {assignment.substr(0, equals), assignment.substr(equals + 1)};
}

const ScenarioValue& ScenarioParameters::value(const std::string& name) const {
    for (const auto& [key, value] : values_) {
        if (key == name) {
            return value;
        }
    }
    throw std::out_of_range("no scenario parameter named '" + name + "'");
}

std::int64_t ScenarioParameters::integer(const std::string& name) const {
    return std::get<std::int64_t>(value(name));
}

double ScenarioParameters::real(const std::string& name) const {
    return std::get<double>(value(name));
}

bool ScenarioParameters::boolean(const std::string& name) const {
    return std::get<bool>(value(name));
}

const std::string& ScenarioParameters::text(const std::string& name) const {
    return std::get<std::string>(value(name));
}

}  // namespace poolscope
