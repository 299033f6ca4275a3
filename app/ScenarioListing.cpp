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
        if (!entry.checkpointNames.empty()) {
            out << "  checkpoints (for --checkpoint N with --screenshot):\n";
            for (std::size_t index = 0; index < entry.checkpointNames.size(); ++index) {
                out << "    " << std::right << std::setw(3) << index << "  "
                    << entry.checkpointNames[index] << '\n';
            }
        }
    }
    out << "\nRun one with: poolscope run NAME --param key=value ...\n";
}

}  // namespace poolscope
