#pragma once

#include <string>
#include <utility>
#include <vector>

#include "CollectedRecords.h"

namespace poolscope::test {

// One run of a program under libpoolscope_preload.so, read to its end.
struct PreloadRun {
    // How the test's end of the stream behaves once the hello arrived.
    enum class Reader {
        Prompt,  // reads everything as it comes
        Pauses,  // stops reading for two seconds, then reads on
        Leaves,  // closes its end
    };

    CollectedRecords records;
    std::string output;         // the program's standard output
    int exitCode = -1;          // when it exited
    int signal = 0;             // when a signal ended it
    double cpuSeconds = 0;      // the program's user and system time
    bool endedCleanly = false;  // the stream ended between packets
    std::string streamError;    // what the decoder refused, if anything

    // Starts `program` with LD_PRELOAD=`interposer` and the stream's descriptor in the
    // environment (plus `environment`), and reads its stream and output until both end. The
    // records go to `visitor` when given (a long run's counts), else into `records`.
    static PreloadRun start(
        const std::string& interposer, const std::string& program,
        const std::vector<std::string>& arguments,
        const std::vector<std::pair<std::string, std::string>>& environment = {},
        Reader reader = Reader::Prompt, PreloadRecordVisitor* visitor = nullptr);

    // The lines of the output that start with `word`, split at spaces.
    std::vector<std::vector<std::string>> lines(const std::string& word) const;
};

}  // namespace poolscope::test
