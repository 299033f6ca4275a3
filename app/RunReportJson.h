#pragma once

#include <QJsonObject>
#include <QString>

#include "scenarios/ScenarioRunner.h"

namespace poolscope {

// How a headless run was asked for, beside the scenario's own parameters.
struct RunOptions {
    bool failOnLeak = false;
    QString reportPath;
    QString recordPath;
};

// The report of `poolscope run --report FILE.json`, documented in the README. `gc` and
// `images` are left out: no scenario of this build runs the managed heap or decodes images.
QJsonObject runReportToJson(const ScenarioRunReport& report, const RunOptions& options);

}  // namespace poolscope
