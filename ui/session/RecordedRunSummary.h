#pragma once

#include <QMetaType>
#include <QString>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "scenarios/ScenarioRunner.h"

namespace poolscope {

// What an opened recording says about its run's results: the report the run ended with, or why
// there is none to show.
struct RecordedRunResults {
    enum class State {
        Stored,   // the run's report, as it was when the run ended
        Absent,   // nothing was stored: an older file, a killed run, a launched program
        Refused,  // something was stored, but it cannot be read
    };
    State state = State::Absent;
    std::optional<ScenarioRunReport> report;  // set when Stored
    // Absent: a sentence saying why there are no results; Refused: the recording and the problem.
    QString message;
};

// A run's report kept in its recording's meta table (key kMetaKey), written when the run ends
// (`poolscope run --record` and a run recorded in the window), so that opening the file shows
// the results the run showed. The text is JSON with a version of its own: the table and the
// recording's schema stay as they are, and a reader refuses a version it does not know instead
// of guessing at it. Numbers above 2^53 are written as decimal text, so that the round trip is
// exact for every field.
class RecordedRunSummary {
public:
    static constexpr const char* kMetaKey = "run_summary";
    static constexpr int kVersion = 1;

    // What is wrong with a stored summary, naming the recording.
    class Refused : public std::runtime_error {
    public:
        using std::runtime_error::runtime_error;
    };

    // Everything the report holds: parameters and figures with their types, the pool, the
    // leaks with their stacks, images and their errors, the per-image layouts, the managed
    // heap, the error and whether the run was cancelled.
    static std::string toText(const ScenarioRunReport& report);
    // The report toText() was given. Throws Refused, naming `recordingPath` and the problem,
    // for text that is not such a summary or is of a version this reader does not know.
    static ScenarioRunReport fromText(const std::string& recordingPath, const std::string& text);
    // The results of a recording, from its meta table; never throws.
    static RecordedRunResults fromMetadata(const std::string& recordingPath,
                                           const std::map<std::string, std::string>& metadata);
};

}  // namespace poolscope

Q_DECLARE_METATYPE(std::shared_ptr<const poolscope::RecordedRunResults>)
