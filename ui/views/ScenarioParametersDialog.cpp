#include "views/ScenarioParametersDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

#include <climits>
#include <cmath>

namespace poolscope {

namespace {

using Parameter = ScenarioCatalogue::Parameter;

QString currentValue(const std::vector<std::pair<std::string, std::string>>& current,
                     const Parameter& parameter) {
    for (const auto& [key, value] : current) {
        if (QString::fromStdString(key) == parameter.name) {
            return QString::fromStdString(value);
        }
    }
    return parameter.defaultText;
}

}  // namespace

ScenarioParametersDialog::ScenarioParametersDialog(
    const QString& scenarioName, const std::vector<Parameter>& parameters,
    const std::vector<std::pair<std::string, std::string>>& current, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Parameters of %1").arg(scenarioName));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    layout->addLayout(form);
    if (parameters.empty()) {
        layout->addWidget(new QLabel(tr("This scenario takes no parameters."), this));
    }
    for (const Parameter& parameter : parameters) {
        const QString text = currentValue(current, parameter);
        QWidget* editor = nullptr;
        switch (parameter.type) {
            case Parameter::Type::Integer: {
                auto* spin = new QSpinBox(this);
                // A QSpinBox holds an int; wider ranges are clamped to what it can show.
                spin->setRange(
                    static_cast<int>(std::max<double>(parameter.minimum.value_or(0), INT_MIN)),
                    static_cast<int>(
                        std::min<double>(parameter.maximum.value_or(INT_MAX), INT_MAX)));
                spin->setValue(text.toInt());
                editor = spin;
                break;
            }
            case Parameter::Type::Real: {
                auto* spin = new QDoubleSpinBox(this);
                spin->setDecimals(3);
                spin->setRange(parameter.minimum.value_or(-1e9), parameter.maximum.value_or(1e9));
                spin->setValue(text.toDouble());
                editor = spin;
                break;
            }
            case Parameter::Type::Boolean: {
                auto* check = new QCheckBox(this);
                check->setChecked(text == QLatin1String("true"));
                editor = check;
                break;
            }
            case Parameter::Type::Text:
                editor = new QLineEdit(text, this);
                break;
        }
        editor->setToolTip(
            QStringLiteral("%1 (%2)").arg(parameter.description, parameter.expectation));
        editor->setObjectName(parameter.name);
        form->addRow(parameter.name, editor);
        auto* description = new QLabel(parameter.description, this);
        description->setWordWrap(true);
        description->setForegroundRole(QPalette::PlaceholderText);
        form->addRow(QString(), description);
        fields_.push_back({parameter, editor});
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

std::vector<std::pair<std::string, std::string>> ScenarioParametersDialog::values() const {
    std::vector<std::pair<std::string, std::string>> values;
    for (const Field& field : fields_) {
        QString text;
        if (const auto* spin = qobject_cast<const QSpinBox*>(field.editor)) {
            text = QString::number(spin->value());
        } else if (const auto* real = qobject_cast<const QDoubleSpinBox*>(field.editor)) {
            text = QString::number(real->value(), 'g', 10);
        } else if (const auto* check = qobject_cast<const QCheckBox*>(field.editor)) {
            text = check->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
        } else if (const auto* line = qobject_cast<const QLineEdit*>(field.editor)) {
            text = line->text();
        }
        if (text != field.parameter.defaultText) {
            values.emplace_back(field.parameter.name.toStdString(), text.toStdString());
        }
    }
    return values;
}

}  // namespace poolscope
