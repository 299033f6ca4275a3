#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

#include <ostream>

#include "scenarios/ScenarioRunner.h"

namespace poolscope {

// How a headless run was asked for, beside the scenario's own parameters.
struct RunOptions {
    bool failOnLeak = false;
    QString reportPath;
    QString recordPath;
};

// What the command says of the run beside the scenario's report.
struct RunNotes {
    // Its recording's errors; with the scenario's, the report's `error`.
    QStringList errors;
    // What ran otherwise than asked (a capped pool size) or was lost without failing the run.
    QStringList warnings;
    // Events that did not reach the recording; unset without one.
    std::optional<std::uint64_t> recordingDroppedEvents;
    // Sections of the report beside the run's, by name: the analyses of `poolscope report`.
    QJsonObject sections;
};

// One entry of a report's `leaks`: its stack as "function (file:line)" strings and as frames.
QJsonObject leakToJson(const LeakRecord& leak);

// The report of `poolscope run --report FILE.json`, documented in the README. `gc` is there
// when a managed heap collected during the run, `images` when the scenario decoded files.
QJsonObject runReportToJson(const ScenarioRunReport& report, const RunOptions& options,
                            const RunNotes& notes = {});
// Writes runReportToJson() into `path`; false, with a message on `errors`, when it cannot.
bool writeRunReport(const QString& path, const ScenarioRunReport& report, const RunOptions& options,
                    const RunNotes& notes, std::ostream& errors);

}  // namespace poolscope
