// A program for the /proc sampler's tests to watch: it says "ready", and on "grow" takes 64 MiB
// of anonymous memory (every page touched, so it is resident) and opens 10 descriptors, then
// says "grown"; "quit" or the end of its input ends it. With --become-user UID (run as root)
// it first becomes that user, for the tests of another user's process.
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kGrowthBytes = std::size_t{64} << 20;
constexpr int kOpenedDescriptors = 10;

void say(const char* line) {
    std::cout << line << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--become-user") == 0) {
        const auto uid = static_cast<uid_t>(std::strtoul(argv[2], nullptr, 10));
        if (setgid(uid) != 0 || setuid(uid) != 0) {
            std::perror("setuid");
            return 2;
        }
        // Changing user makes a process undumpable, which gives its /proc files to root; it
        // is to be seen as the other user's.
        prctl(PR_SET_DUMPABLE, 1);
    }
    say("ready");
    std::vector<char*> held;
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line == "grow") {
            auto* block = static_cast<char*>(std::malloc(kGrowthBytes));
            if (block == nullptr) {
                return 2;
            }
            // Written through volatile, so that no page stays unbacked.
            volatile char* pages = block;
            const auto pageSize = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
            for (std::size_t offset = 0; offset < kGrowthBytes; offset += pageSize) {
                pages[offset] = 1;
            }
            held.push_back(block);
            for (int i = 0; i < kOpenedDescriptors; ++i) {
                if (open("/dev/null", O_RDONLY) < 0) {
                    return 2;
                }
            }
            say("grown");
        } else if (line == "quit") {
            break;
        }
    }
    return 0;
}
