#pragma once

#include <QString>
#include <QStringList>

#include <ostream>
#include <string>
#include <vector>

namespace poolscope {

// `poolscope launch [--record FILE [--force]] [--report FILE.json] [--fail-on-leak]
// [--suppressions FILE] [--stack-depth N] -- PROGRAM ARGS...`: runs PROGRAM under the LD_PRELOAD
// interposer, records its heap, mappings and descriptors, and reports what it left behind.
// Exits with the program's own status (128 + the signal that killed it), or 3 with --fail-on-leak
// when it ran to a clean end but left leaks of its own.
class LaunchCommand {
public:
    struct Request {
        std::string program;
        std::vector<std::string> arguments;
        QString reportPath;
        QString recordPath;
        bool force = false;
        bool failOnLeak = false;
        QString suppressionsPath;
        int stackDepth = 0;
    };

    static constexpr int kFramesPerStack = 32;

    // `arguments` is the whole command line, the program name first and "launch" second.
    static int exec(const QStringList& arguments);
    static int execute(const Request& request, std::ostream& out, std::ostream& errors);
};

}  // namespace poolscope
