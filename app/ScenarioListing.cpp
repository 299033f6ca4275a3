#include "ScenarioListing.h"

#include <iomanip>

#include "scenarios/ScenarioRegistry.h"

namespace poolscope {

void ScenarioListing::print(std::ostream& out) {
    bool first = true;
    for (const ScenarioRegistry::Entry& entry : ScenarioRegistry::builtIn().entries()) {
        out << (first ? "" : "\n") << entry.name << "\n  " << entry.description << '\n';
        first = false;
        for (const ScenarioParameter& parameter : entry.parameters) {
            const std::string assignment =
                parameter.name + "=" + scenarioValueToString(parameter.defaultValue);
            out << "    " << std::left << std::setw(28) << assignment << parameter.description
                << " (" << parameter.expectation() << ")\n";
        }
    }
    out << "\nRun one with: poolscope run NAME --param key=value ...\n";
}

}  // namespace poolscope
