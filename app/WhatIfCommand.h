#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <ostream>

namespace poolscope {

// `poolscope whatif RECORDING [--pool-size MiB] [--trim-period-ms N] [--json F]`: what the
// recording's large buffers cost beside what the ImageSharp pool would have made of them
// (engine/analysis/WhatIfReplay), and the call sites that would gain most.
class WhatIfCommand {
public:
    struct Request {
        QString recordingPath;
        QString jsonPath;
        // Below zero: the machine's default pool size.
        std::int64_t poolSizeMegabytes = -1;
        std::int64_t trimPeriodMilliseconds = 0;  // 0: the pool's default
    };

    // `arguments` is the whole command line, the program name first and "whatif" second.
    static int exec(const QStringList& arguments);
    static int execute(const Request& request, std::ostream& out, std::ostream& errors);
};

}  // namespace poolscope
