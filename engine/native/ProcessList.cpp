#include "native/ProcessList.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>

#include "native/ProcError.h"
#include "native/ProcProcess.h"

namespace poolscope {

namespace {

std::optional<pid_t> pidOf(const char* name) {
    pid_t pid = 0;
    const char* end = name + std::strlen(name);
    const auto [stop, error] = std::from_chars(name, end, pid);
    if (error != std::errc() || stop != end || pid <= 0) {
        return std::nullopt;
    }
    return pid;
}

}  // namespace

std::vector<ListedProcess> ProcessList::ofThisUser() {
    std::vector<ListedProcess> processes;
    const std::unique_ptr<DIR, int (*)(DIR*)> proc(opendir("/proc"), closedir);
    if (!proc) {
        return processes;
    }
    while (const dirent* entry = readdir(proc.get())) {
        const std::optional<pid_t> pid = pidOf(entry->d_name);
        if (!pid) {
            continue;
        }
        try {
            const ProcProcess process(*pid);
            const ProcStatusFigures status = process.status();
            if (status.exited) {
                continue;
            }
            processes.push_back({*pid, status.name, process.commandLine(), status.residentBytes});
        } catch (const ProcError&) {
            // Another user's, gone since the listing, or a kernel thread with no memory lines.
        }
    }
    std::sort(processes.begin(), processes.end(),
              [](const ListedProcess& a, const ListedProcess& b) { return a.pid < b.pid; });
    return processes;
}

}  // namespace poolscope
