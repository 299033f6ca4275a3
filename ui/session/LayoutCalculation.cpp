#include "session/LayoutCalculation.h"

#include <stdexcept>

#include "memory/InvalidMemoryOperation.h"

namespace poolscope {

LayoutCalculation LayoutCalculation::of(const ImageLayoutRequest& request) {
    LayoutCalculation calculation;
    try {
        calculation.layout = LayoutCalculator::calculate(request);
    } catch (const InvalidMemoryOperation& refusal) {
        calculation.outcome = Outcome::Refused;
        calculation.error = QString::fromStdString(refusal.what());
    } catch (const std::invalid_argument& invalid) {
        calculation.outcome = Outcome::Invalid;
        calculation.error = QString::fromStdString(invalid.what());
    }
    return calculation;
}

}  // namespace poolscope
