#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace poolscope {

// One process of this user, as a picker lists it.
struct ListedProcess {
    pid_t pid = 0;
    std::string name;         // the command name (comm)
    std::string commandLine;  // arguments separated by spaces
    std::uint64_t residentBytes = 0;
};

// The processes of this user, from /proc, for a person to choose one to sample.
class ProcessList {
public:
    // Ordered by PID. Processes that exit while being listed, and zombies, are left out, as are
    // those without memory (kernel threads).
    static std::vector<ListedProcess> ofThisUser();
};

}  // namespace poolscope
