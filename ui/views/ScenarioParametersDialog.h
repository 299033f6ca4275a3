#pragma once

#include <QDialog>

#include <string>
#include <utility>
#include <vector>

#include "session/ScenarioCatalogue.h"

class QFormLayout;
class QWidget;

namespace poolscope {

// A form for a scenario's typed parameters: a spin box per number, a check box per flag, a
// line edit per text, each with its description and range. Values not changed from the default
// are left out of values(), so the scenario keeps its own default for them.
class ScenarioParametersDialog : public QDialog {
    Q_OBJECT

public:
    ScenarioParametersDialog(const QString& scenarioName,
                             const std::vector<ScenarioCatalogue::Parameter>& parameters,
                             const std::vector<std::pair<std::string, std::string>>& current,
                             QWidget* parent = nullptr);

    std::vector<std::pair<std::string, std::string>> values() const;

private:
    struct Field {
        ScenarioCatalogue::Parameter parameter;
        QWidget* editor = nullptr;
    };
    std::vector<Field> fields_;
};

}  // namespace poolscope
