// poolscope_thumbnailer INPUT OUTPUT [--size N] [--leak-every N] [--abort-after N]
// Run it with POOLSCOPE_RECORD=run.psrec in its environment and `poolscope report run.psrec`
// shows what its pixel memory did. --leak-every and --abort-after are for PoolScope's tests: a
// leak, and a program that dies without exiting.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "Thumbnailer.h"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: %s INPUT OUTPUT [--size N] [--leak-every N] [--abort-after N]\n",
                     argv[0]);
        return 1;
    }
    int size = 256;
    int leakEvery = 0;
    int abortAfter = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (option == "--size" && value > 0) {
            size = value;
        } else if (option == "--leak-every" && value > 0) {
            leakEvery = value;
        } else if (option == "--abort-after" && value > 0) {
            abortAfter = value;
        } else {
            std::fprintf(stderr, "%s: unknown option or bad value: %s %s\n", argv[0], argv[i],
                         argv[i + 1]);
            return 1;
        }
    }
    const Thumbnailer::Result result =
        Thumbnailer(size).run(argv[1], argv[2], leakEvery, abortAfter);
    for (const std::string& failure : result.failures) {
        std::fprintf(stderr, "%s\n", failure.c_str());
    }
    std::printf("%d thumbnails written\n", result.written);
    return result.failures.empty() ? 0 : 1;
}
