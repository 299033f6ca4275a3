#pragma once

#include <QJsonObject>
#include <QString>

#include <ostream>

#include "scenarios/ScenarioRunner.h"

namespace poolscope {

// How a headless run was asked for, beside the scenario's own parameters.
struct RunOptions {
    bool failOnLeak = false;
    QString reportPath;
    QString recordPath;
};

// The report of `poolscope run --report FILE.json`, documented in the README. `gc` is there
// when a managed heap collected during the run, `images` when the scenario decoded files.
QJsonObject runReportToJson(const ScenarioRunReport& report, const RunOptions& options);
// Writes runReportToJson() into `path`; false, with a message on `errors`, when it cannot.
bool writeRunReport(const QString& path, const ScenarioRunReport& report, const RunOptions& options,
                    std::ostream& errors);

}  // namespace poolscope
