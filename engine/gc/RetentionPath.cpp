#include "gc/RetentionPath.h"

namespace poolscope {

std::string RetentionPath::toString() const {
    std::string text = rootName;
    for (const Step& step : steps) {
        text += step.viaField.empty() ? " -> " : " -" + step.viaField + "-> ";
        text += step.typeName;
    }
    return text;
}

std::string RetentionPath::elementName(std::uint32_t index) {
    return "[" + std::to_string(index) + "]";
}

}  // namespace poolscope
