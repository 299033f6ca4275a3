#pragma once

#include <QString>
#include <QStringList>

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <ostream>

namespace poolscope {

// `poolscope attach PID [--interval-ms N] [--pss-interval-ms N] [--duration-s S] [--json FILE]`:
// samples any process of this user from /proc with no injection (RSS, PSS, anonymous, file-backed,
// swap, descriptors) until it exits, the duration elapses, or SIGINT or SIGTERM; a line a second
// while it runs, a summary at the end. Stacks need `poolscope launch` or the live link.
class AttachCommand {
public:
    // Beside CommandLine's 0 (done), 1 (usage, or the JSON not written) and 130 (a signal).
    static constexpr int kExitNoSuchProcess = 5;
    static constexpr int kExitNotYours = 6;
    static constexpr int kExitEndedBeforeSampled = 7;

    struct Request {
        pid_t pid = 0;
        std::chrono::milliseconds interval{100};
        std::chrono::milliseconds pssInterval{1000};
        std::optional<std::chrono::seconds> duration;
        QString jsonPath;
    };

    // `arguments` is the whole command line, the program name first and "attach" second.
    static int exec(const QStringList& arguments);
    static int execute(const Request& request, std::ostream& out, std::ostream& errors);
};

}  // namespace poolscope
