// A small program with known leaks, launched under the interposer by LaunchWindowTest: three
// heap buffers of 3000 bytes from keepThreeBuffers, a descriptor opened by
// openAndForget on the file named by its first argument, and 1 MiB mapped and never unmapped.
// Clean otherwise; it lingers a little so the window samples it while it runs.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace {

void* volatile kept[3];

__attribute__((noinline)) void keepThreeBuffers() {
    for (void* volatile& slot : kept) {
        void* buffer = std::malloc(3000);
        std::memset(buffer, 1, 3000);
        slot = buffer;
    }
}

__attribute__((noinline)) int openAndForget(const char* path) {
    return ::open(path, O_RDONLY | O_CLOEXEC);
}

__attribute__((noinline)) void* mapAndForget() {
    return ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

}  // namespace

int main(int argc, char** argv) {
    void* scratch = std::malloc(100);
    std::free(scratch);
    keepThreeBuffers();
    if (argc > 1 && openAndForget(argv[1]) < 0) {
        return 2;
    }
    if (mapAndForget() == MAP_FAILED) {
        return 3;
    }
    ::usleep(300'000);
    return 0;
}
